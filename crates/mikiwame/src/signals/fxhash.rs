//! FxHash (as in rustc) for the signals' lookup tables and linking groups: their keys are
//! short strings and characters from our own data files or a batch job's input, where
//! SipHash's protection against crafted collisions costs more than it buys (it was a
//! visible share of the per-order instructions).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hasher: a rotate, xor and multiply per eight bytes.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(pub(crate) u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`FxHasher`]s.
pub(crate) type BuildFx = BuildHasherDefault<FxHasher>;
/// A `HashMap` hashed with Fx.
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildFx>;
/// A `HashSet` hashed with Fx.
pub(crate) type FxHashSet<T> = HashSet<T, BuildFx>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_find_what_they_hold() {
        let set: FxHashSet<String> = ["a", "ab", "abcdefghij", ""]
            .map(String::from)
            .into_iter()
            .collect();
        for k in ["a", "ab", "abcdefghij", ""] {
            assert!(set.contains(k));
        }
        assert!(!set.contains("abcdefghik"));
    }
}
