//! The hash filter beside the disposable-domain set: one bit per listed domain's hash.
//! `build.rs` includes this file to write the filter, and [`super::contact`] to read it,
//! so the two cannot hash differently.

/// Bits in the filter.
pub(crate) const BITS: usize = 1 << 16;

/// A domain's bit: FNV-1a over its bytes, modulo [`BITS`].
pub(crate) fn bit_of(domain: &str) -> usize {
    (crate::fnv::fnv1a(domain.as_bytes()) as usize) % BITS
}
