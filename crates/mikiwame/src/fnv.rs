//! FNV-1a (64-bit), the one small hash the crate writes into files and tables: the
//! locality hash of index keys, record descriptions in the index build, and the
//! disposable-domain filter. `build.rs` includes this file too, so build-time and
//! run-time hashes cannot differ.

/// An FNV-1a hash in progress: feed it bytes in any number of pieces, and it hashes them
/// exactly as their concatenation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    /// The empty hash (FNV's offset basis).
    pub(crate) const fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    /// Adds one byte.
    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }

    /// Adds bytes in order.
    #[inline]
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// The hash of everything added.
    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// FNV-1a of `bytes` in one go.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::new();
    h.bytes(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // The published FNV-1a 64-bit test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let mut pieces = Fnv1a::new();
        pieces.bytes(b"foo");
        pieces.bytes(b"");
        pieces.bytes(b"bar");
        assert_eq!(pieces.finish(), fnv1a(b"foobar"));
    }
}
