//! A 64-bit hash that reads eight bytes at a step: the locality hash of index keys.
//!
//! FNV-1a (`crate::fnv`) multiplies once per byte. A locality is about 30 bytes of UTF-8
//! (`東京都世田谷区池尻`: 27), so it cost 30 dependent multiplications on every index
//! query and record: 11-15% of a graded query (perf, `benches/README.md`). This hash
//! multiplies once per 8-byte word and then mixes the result with MurmurHash3's 64-bit
//! finalizer, so that every input bit reaches the top bits (which the locality table uses
//! as its directory) and the low bits alike.
//!
//! The values are written into index files (format 4 on): the algorithm is fixed, and the
//! test vectors below catch any change to it. A change needs a new index format version.

/// The multiplier of each word step (2^64 / golden ratio, odd).
const K: u64 = 0x9E37_79B9_7F4A_7C15;
/// The starting state (the first 64 bits of pi's fraction, so no weak constant).
const SEED: u64 = 0x243F_6A88_85A3_08D3;

/// MurmurHash3's 64-bit finalizer: every input bit flips each output bit with a
/// probability close to one half.
#[inline]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// One word into the state: a bijection of the state for a fixed word and of the word
/// for a fixed state, so that two inputs differing in one word always differ after it.
#[inline]
fn absorb(h: u64, w: u64) -> u64 {
    let x = (h ^ w).wrapping_mul(K);
    x ^ (x >> 32)
}

/// A [`word_hash`] in progress: feed it bytes in any number of pieces, and it hashes them
/// exactly as their concatenation, reading whole words in place (no copy of the pieces).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordHasher {
    h: u64,
    /// Bytes carried over to the next piece, little-endian from the low byte.
    tail: u64,
    /// How many bytes `tail` holds (0..=7).
    held: u32,
    len: u64,
}

impl WordHasher {
    /// The empty hash.
    pub(crate) const fn new() -> WordHasher {
        WordHasher {
            h: SEED,
            tail: 0,
            held: 0,
            len: 0,
        }
    }

    /// Adds bytes in order.
    #[inline]
    pub(crate) fn bytes(&mut self, mut bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        if self.held > 0 {
            while self.held < 8 {
                let Some((&b, rest)) = bytes.split_first() else {
                    return;
                };
                self.tail |= u64::from(b) << (8 * self.held);
                self.held += 1;
                bytes = rest;
            }
            self.h = absorb(self.h, self.tail);
            self.tail = 0;
            self.held = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.h = absorb(self.h, u64::from_le_bytes(a));
        }
        for &b in words.remainder() {
            self.tail |= u64::from(b) << (8 * self.held);
            self.held += 1;
        }
    }

    /// The hash of everything added: the 0-7 remaining bytes as one word together with
    /// the length (so `"a"` and `"a\0"` differ).
    #[inline]
    pub(crate) fn finish(self) -> u64 {
        // The tail holds at most 7 bytes, so its top byte is free for the length.
        fmix64(absorb(self.h, self.tail ^ (self.len << 56)))
    }
}

/// The hash of `bytes` in one go: whole little-endian words first, then the rest with the
/// length ([`WordHasher::finish`]). The reference the tests hold the pieces to.
#[cfg(test)]
pub(crate) fn word_hash(bytes: &[u8]) -> u64 {
    let mut h = WordHasher::new();
    h.bytes(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn values_are_pinned() {
        // Index files hold these values: a change here is a new index format. Computed
        // independently of this code, by a Python transcription of the algorithm above.
        let cases: [(&[u8], u64); 5] = [
            (b"", 0x149a_eec1_9b31_d6cc),
            (b"a", 0x9140_a62a_45ad_6c72),
            (b"foobar", 0xa3ef_9348_6b4a_0f8d),
            (b"01234567", 0xe6b4_48c9_ed05_67bd),
            ("東京都世田谷区池尻".as_bytes(), 0x0f2c_371b_ecc8_c279),
        ];
        for (input, want) in cases {
            assert_eq!(
                word_hash(input),
                want,
                "{:?}: {:#018x}",
                String::from_utf8_lossy(input),
                word_hash(input)
            );
        }
    }

    proptest::proptest! {
        /// Pieces hash exactly as their concatenation, however the bytes are cut.
        #[test]
        fn pieces_hash_as_their_concatenation(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
            cuts in proptest::collection::vec(0usize..64, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut h = WordHasher::new();
            let mut at = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                h.bytes(&bytes[at..c]);
                at = c;
            }
            proptest::prop_assert_eq!(h.finish(), word_hash(&bytes));
        }
    }

    #[test]
    fn length_and_trailing_zeros_count() {
        let mut seen = HashSet::new();
        let zeros = [0u8; 24];
        for n in 0..=24 {
            assert!(seen.insert(word_hash(&zeros[..n])), "{n} zero bytes");
        }
    }

    #[test]
    fn top_bits_spread_over_similar_names() {
        // The locality table's directory uses the top bits: names differing in one
        // character must land in different buckets about as often as random values.
        let mut buckets = HashSet::new();
        for i in 0..4096u32 {
            let name = format!("東京都世田谷区池尻{i}丁目");
            buckets.insert(word_hash(name.as_bytes()) >> 52);
        }
        // 4,096 values into 4,096 buckets: about 2,590 distinct if uniform.
        assert!(buckets.len() > 2_400, "{}", buckets.len());
    }
}
