//! The key section's layout: one or more automata over consecutive key ranges.
//!
//! Building one automaton is sequential and was 70% of a 10M-record build; automata over
//! disjoint key ranges build in parallel. The key section (format 3 on) is
//!
//! ```text
//! u32 shard count S (1..=MAX_SHARDS), little-endian
//! S - 1 times: u32 boundary length, the boundary key, u64 length of the shard's automaton
//! the S automata back to back; the last one runs to the end of the section
//! ```
//!
//! Shard `i` holds the keys `k` with `boundary[i - 1] <= k < boundary[i]`. Boundaries fall
//! between localities: a boundary in the keys that start with a locality hash (address,
//! forwarder block, forwarder building) is the kind byte and the hash alone
//! ([`boundary_for`]), so every key of one locality, and so every prefix walk and key range
//! a query reads, lies in one shard, found from the query's first nine bytes.

use std::cmp::Ordering;
use std::ops::Range;

use crate::error::{Error, Result};

use super::format::{u32_at, u64_at};
use super::keys::{Kind, LOCALITY_LEN};

/// The most shards a file may hold: parsing stays constant-time.
pub(crate) const MAX_SHARDS: usize = 64;

/// Where the automata of a key section lie, and the keys that separate them.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// `S - 1` strictly increasing boundary keys.
    pub(crate) boundaries: Vec<Vec<u8>>,
    /// Each automaton's bytes, relative to the section's start.
    pub(crate) automata: Vec<Range<usize>>,
}

fn corrupted(what: &str) -> Error {
    Error::IndexCorrupted {
        what: format!("key section: {what}"),
    }
}

/// Reads the directory at the start of a key section.
pub(crate) fn parse(section: &[u8]) -> Result<Layout> {
    let count = u32_at(section, 0).ok_or_else(|| corrupted("no shard count"))? as usize;
    if count == 0 || count > MAX_SHARDS {
        return Err(corrupted("shard count out of range"));
    }
    let mut at = 4usize;
    let mut boundaries: Vec<Vec<u8>> = Vec::with_capacity(count - 1);
    let mut lens = Vec::with_capacity(count - 1);
    for _ in 1..count {
        let len = u32_at(section, at).ok_or_else(|| corrupted("directory cut short"))? as usize;
        let key = at
            .checked_add(4)
            .and_then(|s| section.get(s..s.checked_add(len)?))
            .ok_or_else(|| corrupted("directory cut short"))?;
        if key.is_empty() || boundaries.last().is_some_and(|b| b.as_slice() >= key) {
            return Err(corrupted("shard boundaries out of order"));
        }
        at += 4 + len;
        let n = u64_at(section, at).ok_or_else(|| corrupted("directory cut short"))?;
        at += 8;
        boundaries.push(key.to_vec());
        lens.push(n);
    }
    let mut automata = Vec::with_capacity(count);
    for n in lens {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| at.checked_add(n))
            .filter(|end| *end <= section.len())
            .ok_or_else(|| corrupted("shard lengths exceed the section"))?;
        automata.push(at..end);
        at = end;
    }
    automata.push(at..section.len());
    Ok(Layout {
        boundaries,
        automata,
    })
}

/// The directory of a key section whose automata have the lengths `lens` (all but the
/// last are written) and are separated by `boundaries`.
pub(crate) fn directory(boundaries: &[Vec<u8>], lens: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(boundaries.len() as u32 + 1).to_le_bytes());
    for (b, n) in boundaries.iter().zip(lens) {
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        out.extend_from_slice(b);
        out.extend_from_slice(&n.to_le_bytes());
    }
    out
}

/// The boundary that a shard starting at `key` starts with: the key itself, cut to its
/// kind byte and locality hash when it starts with one.
pub(crate) fn boundary_for(key: &[u8]) -> Vec<u8> {
    let by_locality = key.first().is_some_and(|k| is_locality_kind(*k));
    if by_locality && key.len() > LOCALITY_LEN {
        key[..1 + LOCALITY_LEN].to_vec()
    } else {
        key.to_vec()
    }
}

/// The shard holding the key (or the keys below the prefix) `kind` + `rest`, where a
/// prefix of a locality kind holds at least the hash. No allocation.
#[inline]
pub(crate) fn shard_of(boundaries: &[Vec<u8>], kind: u8, rest: &[u8]) -> usize {
    boundaries.partition_point(|b| starts_at_or_before(b, kind, rest))
}

/// The boundaries as integers, for the queries that start with a locality: each boundary
/// is its kind byte above the big-endian value of its 8 hash bytes, so finding a locality's
/// shard compares integers instead of byte strings (the byte-string search was about 170
/// instructions of a 1,800-instruction single address grade at six automata).
///
/// Built only when every boundary of a locality kind is exactly the kind byte and the hash,
/// as [`boundary_for`] writes them; other boundaries are compared by their kind byte alone,
/// which is all that orders them against a query of another kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct LocalityRoute(Vec<u128>);

impl LocalityRoute {
    /// The route over `boundaries`, or `None` when one of a locality kind is not
    /// [`boundary_for`]'s shape (only in files this crate did not write).
    pub(crate) fn new(boundaries: &[Vec<u8>]) -> Option<LocalityRoute> {
        boundaries
            .iter()
            .map(|b| {
                let (&kind, tail) = b.split_first()?;
                if !is_locality_kind(kind) {
                    return Some(u128::from(kind) << 64);
                }
                let hash: [u8; LOCALITY_LEN] = tail.try_into().ok()?;
                Some(u128::from(kind) << 64 | u128::from(u64::from_be_bytes(hash)))
            })
            .collect::<Option<Vec<u128>>>()
            .map(LocalityRoute)
    }

    /// The shard of the keys of locality `hash` of the locality kind `kind`: equal to
    /// [`shard_of`] for any `rest` that starts with the hash's big-endian bytes.
    #[inline]
    pub(crate) fn shard(&self, kind: u8, hash: u64) -> usize {
        let q = u128::from(kind) << 64 | u128::from(hash);
        self.0.partition_point(|b| *b <= q)
    }
}

/// True for the kinds whose keys start with a locality hash (and whose boundaries are cut
/// to it).
#[inline]
pub(crate) fn is_locality_kind(kind: u8) -> bool {
    kind == Kind::Address as u8
        || kind == Kind::ForwarderBlock as u8
        || kind == Kind::ForwarderBuilding as u8
}

/// [`shard_of`] for keys met in ascending order: the search starts at `from`, the shard
/// of an earlier key, and steps forward (a batch in key order crosses each boundary once).
#[inline]
pub(crate) fn shard_from(boundaries: &[Vec<u8>], from: usize, kind: u8, rest: &[u8]) -> usize {
    let mut s = from.min(boundaries.len());
    while boundaries
        .get(s)
        .is_some_and(|b| starts_at_or_before(b, kind, rest))
    {
        s += 1;
    }
    s
}

/// True when the shard starting at boundary `b` starts at or before the key `kind` +
/// `rest`. Boundaries are never empty (`parse` refuses them).
#[inline]
fn starts_at_or_before(b: &[u8], kind: u8, rest: &[u8]) -> bool {
    match b.split_first() {
        Some((k, tail)) => k.cmp(&kind).then_with(|| tail.cmp(rest)) != Ordering::Greater,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_round_trips_and_routes_by_boundary() {
        let boundaries = vec![vec![1, 5, 0, 0, 0, 0, 0, 0, 0], vec![0x10, b'm']];
        let mut section = directory(&boundaries, &[3, 2]);
        section.extend_from_slice(b"aaabbcccc");
        let layout = parse(&section).unwrap();
        assert_eq!(layout.boundaries, boundaries);
        let parts: Vec<&[u8]> = layout
            .automata
            .iter()
            .map(|r| &section[r.clone()])
            .collect();
        assert_eq!(parts, [&b"aaa"[..], b"bb", b"cccc"]);
        let b = &layout.boundaries;
        assert_eq!(shard_of(b, 1, &[4, 9, 9, 9, 9, 9, 9, 9, 9]), 0);
        assert_eq!(shard_of(b, 1, &[5, 0, 0, 0, 0, 0, 0, 0]), 1);
        assert_eq!(shard_of(b, 1, &[5, 0, 0, 0, 0, 0, 0, 0, 3, 4]), 1);
        assert_eq!(shard_of(b, 2, &[]), 1);
        assert_eq!(shard_of(b, 0x10, b"a@x"), 1);
        assert_eq!(shard_of(b, 0x10, b"m"), 2);
        assert_eq!(shard_of(b, 0x11, b""), 2);
        assert_eq!(shard_of(&[], 0x11, b""), 0);
        // Keys in ascending order, each searched from the previous key's shard.
        let keys: [(u8, &[u8]); 8] = [
            (1, &[0]),
            (1, &[4, 9, 9, 9, 9, 9, 9, 9, 9]),
            (1, &[5, 0, 0, 0, 0, 0, 0, 0]),
            (1, &[5, 0, 0, 0, 0, 0, 0, 0, 3, 4]),
            (2, &[]),
            (0x10, b"a@x"),
            (0x10, b"m"),
            (0x11, b""),
        ];
        let mut from = 0;
        for (kind, rest) in keys {
            from = shard_from(b, from, kind, rest);
            assert_eq!(from, shard_of(b, kind, rest), "{kind} {rest:?}");
        }
    }

    proptest::proptest! {
        /// The integer route finds the shard the byte-string search finds, for any sorted
        /// boundaries of the builder's shape and any locality query.
        #[test]
        fn route_agrees_with_the_byte_search(
            picks in proptest::collection::btree_set(
                (proptest::sample::select(vec![1u8, 2, 3, 0x10, 0x11]), 0u64..64),
                0..12,
            ),
            kind in proptest::sample::select(vec![1u8, 2, 3]),
            hash in 0u64..64,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..4),
        ) {
            // Small hashes so that queries often meet a boundary exactly; shifted into the
            // high byte too, so that byte order and integer order must agree.
            let spread = |h: u64| h << 58 | h;
            let boundaries: Vec<Vec<u8>> = picks
                .iter()
                .map(|&(k, h)| {
                    let mut b = vec![k];
                    if is_locality_kind(k) {
                        b.extend_from_slice(&spread(h).to_be_bytes());
                    } else {
                        b.extend_from_slice(format!("{h}@x").as_bytes());
                    }
                    b
                })
                .collect();
            let mut sorted = boundaries.clone();
            sorted.sort();
            sorted.dedup();
            let route = LocalityRoute::new(&sorted).expect("builder-shaped boundaries");
            let mut rest = spread(hash).to_be_bytes().to_vec();
            rest.extend_from_slice(&tail);
            proptest::prop_assert_eq!(
                route.shard(kind, spread(hash)),
                shard_of(&sorted, kind, &rest)
            );
        }
    }

    #[test]
    fn routes_only_builder_shaped_boundaries() {
        assert!(LocalityRoute::new(&[vec![1, 5, 0, 0, 0, 0, 0, 0, 0], vec![0x10, b'm']]).is_some());
        assert!(LocalityRoute::new(&[vec![1, 5, 0]]).is_none(), "a cut hash");
        assert!(LocalityRoute::new(&[vec![1; 10]]).is_none(), "a whole key");
        let route = LocalityRoute::new(&[]).expect("one automaton");
        assert_eq!(route.shard(1, u64::MAX), 0);
    }

    #[test]
    fn damaged_directories_are_refused() {
        let boundaries = vec![vec![1, 5], vec![1, 6]];
        let mut good = directory(&boundaries, &[1, 1]);
        good.extend_from_slice(b"xyz");
        assert!(parse(&good).is_ok());
        assert!(parse(&good[..3]).is_err());
        assert!(
            parse(&good[..good.len() - 3]).is_err(),
            "lengths past the end"
        );
        assert!(parse(&0u32.to_le_bytes()).is_err());
        assert!(parse(&(MAX_SHARDS as u32 + 1).to_le_bytes()).is_err());
        let mut unordered = directory(&[vec![1, 6], vec![1, 5]], &[1, 1]);
        unordered.extend_from_slice(b"xyz");
        assert!(parse(&unordered).is_err());
        let mut empty_key = directory(&[vec![]], &[1]);
        empty_key.extend_from_slice(b"xy");
        assert!(parse(&empty_key).is_err());
    }

    #[test]
    fn boundaries_cut_locality_keys_to_the_hash() {
        let key = [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(boundary_for(&key), key[..9].to_vec());
        assert_eq!(boundary_for(b"\x10a@b"), b"\x10a@b".to_vec());
    }
}
