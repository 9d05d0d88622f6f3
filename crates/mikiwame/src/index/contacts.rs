//! A filter over the index's contact keys (emails, phones, card fingerprints) for scoring.
//!
//! Scoring looks up about three contacts an order, and nearly all of them are not in the
//! index; each lookup walked the automaton byte by byte (about 1,800 instructions for a
//! phone number, whose `+8190` prefix many keys share). A binary fuse filter (the `xorf`
//! crate; about 9 bits a key, 0.4% false positives) answers "certainly not there" in a few
//! dozen instructions, and only a possible hit walks the automaton, so answers stay exact.
//!
//! The filter is not in the file (the format stays as it is) but built in memory from the
//! keys, and only once the lookups served would have paid for building it (the rule of
//! renting skis until their price is spent): building costs about 450 ns a key and saves
//! about 650 ns a lookup in an index of 2,000,000 contacts (670-755 ns a lookup walking,
//! 34-84 ns through the filter), so it is built after half as many lookups as there are
//! keys. A process that looks up few contacts in a large index (`mikiwame check`, a small
//! batch) never builds it, and one that scores many orders pays at most about what it
//! already spent walking. Building holds the keys' 8-byte hashes for a moment; the filter
//! keeps about 1.1 bytes a key.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use rustc_hash::FxBuildHasher;
use xorf::{BinaryFuse8, Filter};

use super::keys::Kind;
use super::open::Index;
use super::table::BuildInfo;

/// Lookups served before the filter is built: a fraction of the keys it holds (see the
/// module documentation), and some more, so that a tiny index builds it at once.
fn threshold(keys: u64) -> u64 {
    keys / 2 + 16
}

/// The contact kinds the filter holds.
const KINDS: [Kind; 3] = [Kind::Email, Kind::Phone, Kind::Card];

/// The filter of an index's contact keys, built on demand (see the module documentation).
#[derive(Debug)]
pub(crate) struct ContactFilter {
    lookups: AtomicU64,
    threshold: u64,
    /// `None` inside when building failed (only for damaged automata): every lookup walks.
    filter: OnceLock<Option<BinaryFuse8>>,
}

impl ContactFilter {
    /// A filter for the index that `info` describes (its counts of contact keys set the
    /// threshold).
    pub(crate) fn new(info: &BuildInfo) -> ContactFilter {
        let keys = KINDS.iter().filter_map(|k| info.keys.get(k.as_str())).sum();
        ContactFilter {
            lookups: AtomicU64::new(0),
            threshold: threshold(keys),
            filter: OnceLock::new(),
        }
    }

    /// False when the key `kind` + `canonical` is certainly not in `index`; true when it
    /// may be (then the caller walks the automaton).
    pub(crate) fn may_hold(&self, index: &Index, kind: Kind, canonical: &[u8]) -> bool {
        let filter = match self.filter.get() {
            Some(f) => f,
            None if self.lookups.fetch_add(1, Ordering::Relaxed) + 1 >= self.threshold => {
                self.filter.get_or_init(|| build(index))
            }
            None => return true,
        };
        filter
            .as_ref()
            .is_none_or(|f| f.contains(&hash(kind as u8, canonical)))
    }

    /// True once the filter is built (for tests).
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.filter.get().is_some_and(Option::is_some)
    }
}

/// The 64-bit key the filter holds for an index key `kind` + `canonical`.
fn hash(kind: u8, canonical: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    FxBuildHasher.hash_one((kind, canonical))
}

/// Reads every contact key of `index` into a filter; `None` when an automaton does not
/// parse or the filter cannot be built.
fn build(index: &Index) -> Option<BinaryFuse8> {
    use fst::{IntoStreamer, Streamer};
    let maps = index.maps().ok()?;
    let mut hashes = Vec::new();
    for kind in KINDS {
        let (lo, hi) = ([kind as u8], [kind as u8 + 1]);
        for map in &maps {
            let mut keys = map.range().ge(lo).lt(hi).into_stream();
            while let Some((key, _)) = keys.next() {
                hashes.push(hash(kind as u8, key.get(1..).unwrap_or_default()));
            }
        }
    }
    // The filter wants distinct keys; distinct index keys rarely share a hash.
    hashes.sort_unstable();
    hashes.dedup();
    BinaryFuse8::try_from(&hashes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{normalize_email, normalize_phone};
    use crate::history::History;
    use crate::index::{FraudRecord, IndexBuilder};
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// An index of these contacts, given in canonical form as [`FraudRecord`] wants them.
    fn index(emails: &[String], phones: &[String], cards: &[String]) -> Index {
        let mut b = IndexBuilder::new();
        for e in emails {
            b.add_fraud(&FraudRecord {
                email: normalize_email(e),
                ..Default::default()
            });
        }
        for p in phones {
            b.add_fraud(&FraudRecord {
                phone: normalize_phone(p),
                ..Default::default()
            });
        }
        for c in cards {
            b.add_fraud(&FraudRecord {
                card_fingerprint: Some(c.clone()),
                ..Default::default()
            });
        }
        Index::new(b.finish_to_vec().unwrap()).unwrap()
    }

    #[test]
    fn built_only_after_enough_lookups() {
        let emails: Vec<String> = (0..600).map(|i| format!("u{i}@example.jp")).collect();
        let index = index(&emails, &[], &[]);
        let needed = threshold(600);
        for i in 0..needed - 1 {
            assert!(!index.contacts.is_built(), "built after {i} lookups");
            // Every other lookup a hit: the answers are exact throughout.
            let e = format!("u{}@example.jp", i * 2 % 1200);
            assert_eq!(History::known_email(&index, &e), i * 2 % 1200 < 600, "{e}");
        }
        assert!(!index.contacts.is_built());
        assert!(!History::known_email(&index, "nobody@example.jp"));
        assert!(index.contacts.is_built());
        for (i, e) in emails.iter().enumerate() {
            assert!(History::known_email(&index, e), "{i}");
        }
    }

    proptest! {
        /// Through the filter or not, the answers are exactly the index's contacts.
        #[test]
        fn answers_equal_the_model(
            emails in proptest::collection::vec("[a-c]{1,3}@[x-z]\\.jp", 0..30),
            phones in proptest::collection::vec("090[0-9]{4}[0-9]{4}", 0..30),
            cards in proptest::collection::vec("fp-[0-9a-f]{1,4}", 0..30),
            queries in proptest::collection::vec(
                ("[a-c]{1,3}@[x-z]\\.jp", "090[0-9]{4}[0-9]{4}", "fp-[0-9a-fA-F]{1,4}", 0usize..64),
                1..120,
            ),
        ) {
            let index = index(&emails, &phones, &cards);
            let model_emails: HashSet<String> = emails.iter().filter_map(|e| normalize_email(e)).collect();
            let model_phones: HashSet<String> = phones.iter().filter_map(|p| normalize_phone(p)).collect();
            let model_cards: HashSet<String> = cards.iter().cloned().collect();
            let mut lookups = 0u64;
            for (e, p, c, pick) in &queries {
                // Half of the queries ask for contacts the index holds.
                let take = |list: &[String], other: &String| {
                    if pick % 2 == 0 && !list.is_empty() { list[pick / 2 % list.len()].clone() } else { other.clone() }
                };
                let (e, p, c) = (take(&emails, e), take(&phones, p), take(&cards, c));
                let e = normalize_email(&e).unwrap_or_default();
                let p = normalize_phone(&p).unwrap_or_default();
                prop_assert_eq!(History::known_email(&index, &e), model_emails.contains(&e), "{}", e);
                prop_assert_eq!(History::known_phone(&index, &p), model_phones.contains(&p), "{}", p);
                prop_assert_eq!(History::known_card(&index, &c), model_cards.contains(&c.to_lowercase()), "{}", c);
                lookups += 3;
            }
            // Built exactly once the lookups reached the threshold (three a query).
            let keys = model_emails.len() + model_phones.len() + model_cards.len();
            prop_assert_eq!(index.contacts.is_built(), lookups >= threshold(keys as u64));
        }
    }
}
