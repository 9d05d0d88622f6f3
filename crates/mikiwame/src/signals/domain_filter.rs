//! The hash filter beside the disposable-domain set: a Bloom filter of the listed domains,
//! two bits a domain. `build.rs` includes this file to write the filter, and
//! [`super::contact`] to read it, so the two cannot hash differently.
//!
//! With 10,186 domains in 2^18 bits, about one unlisted domain in 180 passes it (with one
//! bit in 2^16, one in six did, and common mail domains such as `ne.jp` among them, each
//! then walking the automaton, about 1,500 instructions).

/// Bits in the filter (32 KiB).
pub(crate) const BITS: usize = 1 << 18;

/// A domain's two bits: FNV-1a over its bytes, and that hash mixed again (the
/// finalizer of SplitMix64), each modulo [`BITS`].
pub(crate) fn bits_of(domain: &str) -> [usize; 2] {
    let h = crate::fnv::fnv1a(domain.as_bytes());
    let mut m = h ^ (h >> 30);
    m = m.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    m ^= m >> 27;
    m = m.wrapping_mul(0x94D0_49BB_1331_11EB);
    m ^= m >> 31;
    [(h as usize) % BITS, (m as usize) % BITS]
}
