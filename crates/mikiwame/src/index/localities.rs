//! The locality table: where each locality's address keys begin in the automaton.
//!
//! Every address key starts with the kind byte and the locality's 8-byte hash, and a query
//! walked those 9 states before reaching anything that tells addresses apart: decoding a
//! state costs about 35 instructions, and in a large index the states below the first hash
//! bytes are cache misses. The table maps the hash straight to the state after those 9
//! bytes, so a query starts its walk at the locality, or learns from the table alone that no
//! key has it (most fresh addresses).
//!
//! ```text
//! u32 count n, u32 bits b (at most MAX_BITS), u32 starts[2^b + 1],
//! then n entries (u64 locality hash, u32 state address, u64 output) sorted by hash;
//! little-endian
//! ```
//!
//! The output (format 4 on) is the sum of the transition outputs on the way to the state,
//! so that a walk that needs values (the full check) can start there too: a value is the
//! sum of the outputs along its whole key.
//!
//! The hashes whose top `b` bits are `i` are entries `starts[i]..starts[i + 1]`: one read
//! of the directory and a scan of about two entries. `b` is chosen so that the directory
//! costs at most 2 bytes per locality; an entry costs 20. An empty section means no table
//! (queries walk from the root): the builder writes one when a state address does not fit
//! 32 bits (an automaton over 4 GiB).

use crate::error::{Error, Result};

use super::format::u32_at;

/// The most directory bits: 16 million buckets, far above Japan's localities.
const MAX_BITS: u32 = 24;
/// Bytes per entry: the hash, the state address and the output on the way to it.
const ENTRY: usize = 20;

/// One locality's entry: where its address keys begin in the automaton.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The locality hash.
    pub(crate) hash: u64,
    /// The address of the state after the kind byte and the hash.
    pub(crate) addr: usize,
    /// The sum of the transition outputs from the root to that state.
    pub(crate) out: u64,
}

/// The directory bits for `n` localities: about one bucket per two to four entries.
fn bits_for(n: usize) -> u32 {
    if n < 4 {
        return 0;
    }
    (usize::BITS - 1 - n.leading_zeros())
        .saturating_sub(1)
        .min(MAX_BITS)
}

fn bucket(hash: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (hash >> (64 - bits)) as usize
    }
}

/// Encodes the table of entries, sorted by hash and distinct; empty (no table) when an
/// address does not fit 32 bits.
pub(crate) fn encode(entries: &[Entry]) -> Vec<u8> {
    let Ok(n) = u32::try_from(entries.len()) else {
        return Vec::new();
    };
    if entries.iter().any(|e| u32::try_from(e.addr).is_err()) {
        return Vec::new();
    }
    debug_assert!(
        entries.windows(2).all(|w| w[0].hash < w[1].hash),
        "unsorted"
    );
    let bits = bits_for(entries.len());
    let buckets = 1usize << bits;
    let mut out = Vec::with_capacity(8 + 4 * (buckets + 1) + ENTRY * entries.len());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    // starts[i] = the number of entries in buckets before i.
    let mut at = 0usize;
    for i in 0..=buckets {
        while at < entries.len() && bucket(entries[at].hash, bits) < i {
            at += 1;
        }
        out.extend_from_slice(&(at as u32).to_le_bytes());
    }
    for e in entries {
        out.extend_from_slice(&e.hash.to_le_bytes());
        out.extend_from_slice(&(e.addr as u32).to_le_bytes());
        out.extend_from_slice(&e.out.to_le_bytes());
    }
    out
}

/// A parsed locality table over the section's bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocalityTable<'a> {
    bits: u32,
    count: usize,
    starts: &'a [u8],
    entries: &'a [u8],
}

/// The shape of a stored table, checked once at open: bits, count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    bits: u32,
    count: usize,
}

/// Checks a locality section's length against its count and bits, in constant time:
/// `None` for an empty section (no table).
pub(crate) fn check(section: &[u8]) -> Result<Option<Shape>> {
    if section.is_empty() {
        return Ok(None);
    }
    let bad = |what: &str| Error::IndexCorrupted {
        what: format!("locality table: {what}"),
    };
    let (Some(count), Some(bits)) = (u32_at(section, 0), u32_at(section, 4)) else {
        return Err(bad("cut short"));
    };
    if bits > MAX_BITS {
        return Err(bad("too many directory bits"));
    }
    let want = ((1u64 << bits) + 1) * 4 + 8 + u64::from(count) * ENTRY as u64;
    if want != section.len() as u64 {
        return Err(bad("length does not match its count"));
    }
    Ok(Some(Shape {
        bits,
        count: count as usize,
    }))
}

impl<'a> LocalityTable<'a> {
    /// The table over `section`, whose shape [`check`] returned.
    pub(crate) fn new(section: &'a [u8], shape: Shape) -> LocalityTable<'a> {
        let dir_end = 8 + ((1usize << shape.bits) + 1) * 4;
        LocalityTable {
            bits: shape.bits,
            count: shape.count,
            starts: section.get(8..dir_end).unwrap_or_default(),
            entries: section.get(dir_end..).unwrap_or_default(),
        }
    }

    /// The address of the state after the kind byte and `hash`, and the output summed on
    /// the way there, or `None` when no address key has this locality.
    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<(usize, u64)> {
        let b = bucket(hash, self.bits);
        let start = u32_at(self.starts, b * 4)? as usize;
        // A damaged directory (only in files that fail `verify`) cannot read past the end.
        let end = (u32_at(self.starts, b * 4 + 4)? as usize).min(self.count);
        for i in start..end {
            let e = self.entries.get(i * ENTRY..(i + 1) * ENTRY)?;
            let mut h = [0u8; 8];
            h.copy_from_slice(&e[..8]);
            let h = u64::from_le_bytes(h);
            if h == hash {
                let addr = u32::from_le_bytes([e[8], e[9], e[10], e[11]]) as usize;
                let mut out = [0u8; 8];
                out.copy_from_slice(&e[12..20]);
                return Some((addr, u64::from_le_bytes(out)));
            }
            if h > hash {
                return None;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(entries: &[Entry]) -> (Vec<u8>, Option<Shape>) {
        let bytes = encode(entries);
        let shape = check(&bytes).unwrap();
        (bytes, shape)
    }

    proptest! {
        #[test]
        fn finds_exactly_the_stored_hashes(
            stored in prop::collection::btree_map(any::<u64>(), (0usize..1 << 31, any::<u64>()), 0..300),
            others in prop::collection::vec(any::<u64>(), 0..100),
        ) {
            let entries: Vec<Entry> = stored
                .iter()
                .map(|(h, (a, o))| Entry { hash: *h, addr: *a, out: *o })
                .collect();
            let (bytes, shape) = table(&entries);
            let t = LocalityTable::new(&bytes, shape.unwrap());
            for e in &entries {
                prop_assert_eq!(t.find(e.hash), Some((e.addr, e.out)));
            }
            for h in others.iter().filter(|h| !stored.contains_key(h)) {
                prop_assert_eq!(t.find(*h), None);
            }
        }
    }

    #[test]
    fn directory_costs_at_most_two_bytes_per_locality() {
        for n in [4usize, 5, 100, 19_200, 200_000] {
            let entries: Vec<Entry> = (0..n as u64)
                .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|hash| Entry {
                    hash,
                    addr: 0,
                    out: 0,
                })
                .collect();
            let bytes = encode(&entries);
            assert!(bytes.len() <= 12 + n * (ENTRY + 2), "{n}: {}", bytes.len());
        }
    }

    #[test]
    fn addresses_over_32_bits_give_no_table() {
        let e = |hash, addr| Entry { hash, addr, out: 0 };
        assert!(encode(&[e(1, 5), e(2, 1 << 32)]).is_empty());
        assert_eq!(check(&[]).unwrap(), None);
    }

    #[test]
    fn damaged_shapes_are_refused() {
        let e = |hash, addr| Entry { hash, addr, out: 9 };
        let (bytes, _) = table(&[e(1, 5), e(2, 6), e(3, 7), e(u64::MAX, 8)]);
        assert!(check(&bytes[..bytes.len() - 1]).is_err());
        assert!(check(&bytes[..3]).is_err());
        let mut more_bits = bytes.clone();
        more_bits[4] = 30;
        assert!(check(&more_bits).is_err());
        let mut more = bytes;
        more[0] += 1;
        assert!(check(&more).is_err());
    }
}
