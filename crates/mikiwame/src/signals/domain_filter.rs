//! The hash filter beside the disposable-domain set: one bit per listed domain's hash.
//! `build.rs` includes this file to write the filter, and [`super::contact`] to read it,
//! so the two cannot hash differently.

/// Bits in the filter.
pub(crate) const BITS: usize = 1 << 16;

/// A domain's bit: FNV-1a over its bytes, modulo [`BITS`].
pub(crate) fn bit_of(domain: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in domain.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h as usize) % BITS
}
