//! Keys waiting to be built into an automaton: one flat byte buffer and fixed-width entries,
//! so that collecting, sorting and grouping millions of keys allocates nothing per key and
//! compares integers, not heap strings.

use std::cmp::Ordering;
use std::ops::Range;

use rayon::prelude::*;

/// How many leading key bytes an entry carries inline: every address unit key of a usual
/// address fits, so most comparisons never read the byte buffer.
const HEAD: usize = 24;

/// One pending key: its first [`HEAD`] bytes (big-endian words, zero-padded), where its
/// bytes lie in the buffer, and the id it points to.
#[derive(Debug, Clone, Copy)]
struct Entry {
    head: [u64; 3],
    start: u64,
    len: u32,
    id: u32,
}

impl Entry {
    fn new(key: &[u8], start: usize, id: u32) -> Entry {
        let mut padded = [0u8; HEAD];
        let n = key.len().min(HEAD);
        padded[..n].copy_from_slice(&key[..n]);
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&padded[i * 8..i * 8 + 8]);
            u64::from_be_bytes(w)
        };
        Entry {
            head: [word(0), word(1), word(2)],
            start: start as u64,
            // Keys are short (addresses, emails, phones); a key over 4 GiB cannot be built.
            len: u32::try_from(key.len()).unwrap_or(u32::MAX),
            id,
        }
    }
}

/// Keys and ids in insertion order, then sorted and grouped by key.
#[derive(Debug, Default)]
pub(crate) struct PendingKeys {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl PendingKeys {
    /// The number of (key, id) pairs held.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no pair is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds one key with its id.
    pub(crate) fn push(&mut self, key: &[u8], id: u32) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.entries.push(Entry::new(key, start, id));
    }

    /// Adds a key written by `encode` into the buffer (nothing when it returns false).
    pub(crate) fn push_with(&mut self, id: u32, encode: impl FnOnce(&mut Vec<u8>) -> bool) {
        let start = self.bytes.len();
        if !encode(&mut self.bytes) {
            self.bytes.truncate(start);
            return;
        }
        let entry = Entry::new(&self.bytes[start..], start, id);
        self.entries.push(entry);
    }

    /// Moves every pair of `other` here, with its id replaced by `ids[id]` (ids out of
    /// range are dropped: they name records that were not added).
    pub(crate) fn append_mapped(&mut self, other: &PendingKeys, ids: &[Option<u32>]) {
        let base = self.bytes.len() as u64;
        self.bytes.extend_from_slice(&other.bytes);
        self.entries.reserve(other.entries.len());
        for e in &other.entries {
            if let Some(Some(id)) = ids.get(e.id as usize) {
                self.entries.push(Entry {
                    start: e.start + base,
                    id: *id,
                    ..*e
                });
            }
        }
    }

    /// Sorts by key, then id (in parallel), and calls `f` once per distinct key, in key
    /// order, with its distinct ids in ascending order. Leaves the collection empty.
    pub(crate) fn drain_groups<E>(
        &mut self,
        f: impl FnMut(&[u8], &[u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        let sorted = self.take_sorted();
        sorted.groups(0..sorted.entries.len(), f)
    }

    /// Takes every pair out, sorted by key, then id (in parallel).
    pub(crate) fn take_sorted(&mut self) -> SortedKeys {
        let mut entries = std::mem::take(&mut self.entries);
        let bytes = std::mem::take(&mut self.bytes);
        let sorted = SortedKeys {
            bytes,
            entries: Vec::new(),
        };
        entries.par_sort_unstable_by(|a, b| sorted.cmp_keys(a, b).then(a.id.cmp(&b.id)));
        SortedKeys { entries, ..sorted }
    }
}

/// Keys and ids sorted by key, then id: read in ranges, so that disjoint ranges can be
/// built into automata in parallel.
#[derive(Debug)]
pub(crate) struct SortedKeys {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl SortedKeys {
    /// The number of (key, id) pairs.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn key(&self, e: &Entry) -> &[u8] {
        let start = e.start as usize;
        &self.bytes[start..start + e.len as usize]
    }

    fn cmp_keys(&self, a: &Entry, b: &Entry) -> Ordering {
        a.head.cmp(&b.head).then_with(|| {
            if a.len as usize <= HEAD && b.len as usize <= HEAD {
                // Equal zero-padded heads of keys that fit: the shorter is a prefix.
                a.len.cmp(&b.len)
            } else {
                self.key(a).cmp(self.key(b))
            }
        })
    }

    /// Splits the pairs into at most `parts` consecutive, non-empty ranges of about equal
    /// size, each but the first starting at the first key `>= cut(key)` for a key near
    /// its ideal start, and never inside one group of equal keys. Returns the ranges with
    /// the boundaries that start them (`None` for the first).
    pub(crate) fn split(
        &self,
        parts: usize,
        cut: impl Fn(&[u8]) -> Vec<u8>,
    ) -> Vec<(Option<Vec<u8>>, Range<usize>)> {
        let n = self.entries.len();
        let mut out: Vec<(Option<Vec<u8>>, Range<usize>)> = Vec::new();
        let mut start = 0;
        let mut boundary = None;
        for p in 1..parts.max(1) {
            let ideal = n * p / parts;
            if ideal <= start {
                continue;
            }
            let b = cut(self.key(&self.entries[ideal]));
            let at = self.entries.partition_point(|e| self.key(e) < b.as_slice());
            // A cut that moved back to or before the current start would make an empty
            // range: skip it.
            if at <= start || at >= n {
                continue;
            }
            out.push((boundary.take(), start..at));
            boundary = Some(b);
            start = at;
        }
        out.push((boundary, start..n));
        out
    }

    /// The bytes that the id lists of the range's keys with more than one id take in the
    /// postings section (4 for the count, 4 per id), so that ranges built in parallel know
    /// where their lists start.
    pub(crate) fn postings_len(&self, range: Range<usize>) -> usize {
        let mut total = 0;
        let _ = self.groups(range, |_, ids| {
            if ids.len() > 1 {
                total += 4 + 4 * ids.len();
            }
            Ok::<(), ()>(())
        });
        total
    }

    /// Calls `f` once per distinct key of `range` (which must not split a group of equal
    /// keys), in key order, with its distinct ids in ascending order.
    pub(crate) fn groups<E>(
        &self,
        range: Range<usize>,
        mut f: impl FnMut(&[u8], &[u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        let entries = &self.entries[range];
        let mut ids = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let first = entries[i];
            ids.clear();
            let mut j = i;
            while j < entries.len() && self.cmp_keys(&first, &entries[j]).is_eq() {
                if ids.last() != Some(&entries[j].id) {
                    ids.push(entries[j].id);
                }
                j += 1;
            }
            f(self.key(&first), &ids)?;
            i = j;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        #[test]
        fn groups_equal_a_btreemap(pairs in prop::collection::vec(
            (prop::collection::vec(prop_oneof![Just(0u8), Just(1u8), any::<u8>()], 0..40), 0u32..5),
            0..200,
        )) {
            let mut p = PendingKeys::default();
            let mut model: BTreeMap<Vec<u8>, Vec<u32>> = BTreeMap::new();
            for (k, id) in &pairs {
                if id % 2 == 0 {
                    p.push(k, *id);
                } else {
                    p.push_with(*id, |b| { b.extend_from_slice(k); true });
                }
                model.entry(k.clone()).or_default().push(*id);
            }
            p.push_with(9, |b| { b.push(7); false });
            let want: Vec<(Vec<u8>, Vec<u32>)> = model
                .into_iter()
                .map(|(k, mut ids)| { ids.sort_unstable(); ids.dedup(); (k, ids) })
                .collect();
            let mut got = Vec::new();
            p.drain_groups(|k, ids| { got.push((k.to_vec(), ids.to_vec())); Ok::<(), ()>(()) }).unwrap();
            prop_assert_eq!(got, want);
            prop_assert!(p.is_empty());
        }
    }

    proptest! {
        #[test]
        fn split_ranges_cover_everything_in_order_and_never_split_a_key(
            keys in prop::collection::vec(prop::collection::vec(0u8..4, 1..6), 0..300),
            parts in 1usize..9,
            cut_len in 1usize..4,
        ) {
            let mut p = PendingKeys::default();
            for (i, k) in keys.iter().enumerate() {
                p.push(k, i as u32 % 3);
            }
            let sorted = p.take_sorted();
            let cut = |k: &[u8]| k[..k.len().min(cut_len)].to_vec();
            let ranges = sorted.split(parts, cut);
            prop_assert!(ranges.len() <= parts.max(1));
            prop_assert_eq!(ranges[0].0.clone(), None);
            prop_assert_eq!(ranges[0].1.start, 0);
            prop_assert_eq!(ranges.last().map(|r| r.1.end), Some(sorted.len()));
            for w in ranges.windows(2) {
                let (b, r) = (&w[1].0, &w[1].1);
                prop_assert_eq!(w[0].1.end, r.start);
                prop_assert!(!r.is_empty());
                let b = b.clone().unwrap();
                // Every key of a range is at or above its boundary, every key before it below.
                let before = sorted.key(&sorted.entries[r.start - 1]);
                let first = sorted.key(&sorted.entries[r.start]);
                prop_assert!(before < b.as_slice() && b.as_slice() <= first);
            }
            let mut all = Vec::new();
            for (_, r) in &ranges {
                sorted.groups(r.clone(), |k, _| { all.push(k.to_vec()); Ok::<(), ()>(()) }).unwrap();
            }
            let mut want: Vec<Vec<u8>> = keys.clone();
            want.sort();
            want.dedup();
            prop_assert_eq!(all, want);
        }
    }

    #[test]
    fn append_mapped_renames_and_drops_ids() {
        let mut chunk = PendingKeys::default();
        chunk.push(b"b", 0);
        chunk.push(b"a", 1);
        chunk.push(b"c", 2);
        let mut all = PendingKeys::default();
        all.push(b"a", 7);
        all.append_mapped(&chunk, &[Some(10), Some(11), None]);
        let mut got = Vec::new();
        all.drain_groups(|k, ids| {
            got.push((k.to_vec(), ids.to_vec()));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(
            got,
            vec![(b"a".to_vec(), vec![7, 11]), (b"b".to_vec(), vec![10])]
        );
    }
}
