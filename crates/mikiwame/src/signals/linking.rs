//! Linking across orders: `shared_address_many_buyers`, `shared_contact_many_names`,
//! `burst_orders`, `name_series`.
//!
//! Orders are grouped by [`LinkKey`] (address block, email, phone, card, IP, joke names)
//! over the batch and the orders a [`History`] store returns for the same keys. Every
//! decision is a function of the *set* of orders in a group (distinct names, how many
//! timestamps fall within a window), never of their sequence, so the result is the same
//! whatever the batch order and however many threads score it.
//!
//! ```
//! use mikiwame::history::{LinkKey, NoHistory, Observation};
//! use mikiwame::signals::{linking::link, ReasonCode, Thresholds};
//!
//! let obs = |id: &str, name: &str| Observation { order_id: id.into(), name: Some(name.into()), ..Default::default() };
//! let key = vec![LinkKey::Phone("+819011112222".into())];
//! let batch = vec![(obs("1", "a"), key.clone()), (obs("2", "b"), key.clone()), (obs("3", "c"), key)];
//! let found = link(&batch, &NoHistory, &Thresholds::default());
//! assert!(found.iter().all(|codes| codes == &[ReasonCode::SharedContactManyNames]));
//! ```

use std::collections::HashMap;

use rustc_hash::{FxBuildHasher, FxHashSet as HashSet};

use super::{ReasonCode, Thresholds};
use crate::history::{History, LinkKey, Observation};
use crate::timestamp::Timestamp;

/// Finds the linking reasons of every order of a batch: for each order (in batch order)
/// its linking codes, sorted and without duplicates.
///
/// `batch` holds each order's observation and the keys it links under. Orders from the
/// history store whose ID also appears in the group's batch orders are counted once.
pub fn link(
    batch: &[(Observation, Vec<LinkKey>)],
    history: &dyn History,
    thresholds: &Thresholds,
) -> Vec<Vec<ReasonCode>> {
    let hashed: Vec<(Observation, Vec<HashedKey>)> = batch
        .iter()
        .map(|(o, keys)| {
            (
                o.clone(),
                keys.iter().cloned().map(HashedKey::new).collect(),
            )
        })
        .collect();
    link_with(&hashed, history, thresholds, false)
        .into_iter()
        .map(|mask| codes_of(mask).collect())
        .collect()
}

/// The linking codes of a mask from [`link_with`], in code order.
pub(crate) fn codes_of(mask: u64) -> impl Iterator<Item = ReasonCode> {
    ReasonCode::ALL
        .iter()
        .enumerate()
        .filter(move |(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, code)| *code)
}

/// The bit of a code in a linking mask: its position in [`ReasonCode::ALL`].
fn bit_of(code: ReasonCode) -> u64 {
    const _: () = assert!(ReasonCode::ALL.len() <= 64, "linking masks hold 64 codes");
    1 << (code as u32)
}

/// What linking reads of one item of a batch: the order's observation and link keys, or
/// nothing for a row that could not be read.
pub(crate) trait LinkItem: Sync {
    /// The observation, `None` for a row that takes no part in linking.
    fn observation(&self) -> Option<&Observation>;
    /// The keys the order links under.
    fn keys(&self) -> &[HashedKey];
}

impl LinkItem for (Observation, Vec<HashedKey>) {
    fn observation(&self) -> Option<&Observation> {
        Some(&self.0)
    }
    fn keys(&self) -> &[HashedKey] {
        &self.1
    }
}

/// A link key with its hash, computed where the key is made (while its text is in the
/// cache), so that linking a batch reads the text only of keys that more than one order
/// has.
#[derive(Debug, Clone)]
pub(crate) struct HashedKey {
    hash: u64,
    key: LinkKey,
}

impl HashedKey {
    pub(crate) fn new(key: LinkKey) -> HashedKey {
        use std::hash::BuildHasher;
        HashedKey {
            hash: FxBuildHasher.hash_one(&key),
            key,
        }
    }
}

/// How many shards the keys are split into when linking in parallel: each shard groups
/// its own keys, so the shards need no shared map and no lock.
const SHARDS: usize = 16;

/// [`link`], with the grouping and the group decisions spread over the current rayon pool
/// when `parallel` (the keys are sharded by hash; a key's group lives in one shard, so
/// the result is the same as the serial one): per item, a mask of its linking codes (see
/// [`codes_of`]). Every step runs on the pool, so that linking a large batch does not
/// leave the other threads waiting.
pub(crate) fn link_with<T: LinkItem>(
    batch: &[T],
    history: &dyn History,
    thresholds: &Thresholds,
    parallel: bool,
) -> Vec<u64> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    // Every (key, item) pair with the key's hash, by shard, gathered a block of items at
    // a time (in parallel), so that a shard reads only its own.
    const BLOCK: usize = 4096;
    fn gather<T: LinkItem>((b, block): (usize, &[T])) -> Vec<Vec<Entry<'_>>> {
        let keys: usize = block.iter().map(|item| item.keys().len()).sum();
        // Room for an even spread and some more, so that few shards grow.
        let room = keys / SHARDS + keys / (4 * SHARDS) + 8;
        let mut shards: Vec<Vec<Entry<'_>>> =
            (0..SHARDS).map(|_| Vec::with_capacity(room)).collect();
        for (i, item) in block.iter().enumerate() {
            for HashedKey { hash, key } in item.keys() {
                shards[shard_of(*hash)].push((*hash, (b * BLOCK + i) as u32, key));
            }
        }
        shards
    }
    let blocks: Vec<Vec<Vec<Entry<'_>>>> = if parallel {
        batch.par_chunks(BLOCK).enumerate().map(gather).collect()
    } else {
        batch.chunks(BLOCK).enumerate().map(gather).collect()
    };
    let masks: Vec<AtomicU64> = (0..batch.len()).map(|_| AtomicU64::new(0)).collect();
    let ask_history = history.keeps_orders();
    let run = |shard: usize| {
        let mine: Vec<Entry<'_>> = blocks
            .iter()
            .flat_map(|b| b[shard].iter().copied())
            .collect();
        for (i, code) in link_shard(batch, mine, history, ask_history, thresholds) {
            masks[i as usize].fetch_or(bit_of(code), Ordering::Relaxed);
        }
    };
    if parallel {
        (0..SHARDS).into_par_iter().for_each(run);
    } else {
        (0..SHARDS).for_each(run);
    }
    masks.into_iter().map(AtomicU64::into_inner).collect()
}

/// One key of one item: its hash, the item's position, the key.
type Entry<'a> = (u64, u32, &'a LinkKey);

/// The shard of a key's hash.
fn shard_of(hash: u64) -> usize {
    (hash >> 40) as usize % SHARDS
}

/// Groups one shard's entries by key and decides each group: the (item, code) pairs
/// found.
///
/// Entries are grouped by hash alone (a map from hash to a chain of entries), and a key's
/// text is read only where its hash has more than one entry (or the history is asked for
/// it): most keys belong to one order, and reading them, scattered over the orders' key
/// lists, is what costs. Different keys with one hash are told apart within the group.
fn link_shard<T: LinkItem>(
    batch: &[T],
    mine: Vec<Entry<'_>>,
    history: &dyn History,
    ask_history: bool,
    thresholds: &Thresholds,
) -> Vec<(u32, ReasonCode)> {
    const END: u32 = u32::MAX;
    // Sized for every entry being its own key, the common case, so that it never grows.
    let mut heads: HashMap<u64, (u32, u32), BuildPass> =
        HashMap::with_capacity_and_hasher(mine.len(), BuildPass::default());
    let mut next: Vec<u32> = vec![END; mine.len()];
    for (p, &(hash, ..)) in mine.iter().enumerate() {
        let head = heads.entry(hash).or_insert((END, 0));
        next[p] = head.0;
        *head = (p as u32, head.1 + 1);
    }
    let mut out = Vec::new();
    let mut members: Vec<usize> = Vec::new();
    let mut run: Vec<(u32, &LinkKey)> = Vec::new();
    for (head, count) in heads.into_values() {
        if count == 1 && !ask_history {
            continue;
        }
        run.clear();
        let mut p = head;
        while p != END {
            let (_, order, key) = mine[p as usize];
            run.push((order, key));
            p = next[p as usize];
        }
        // One group per distinct key among the equal hashes (nearly always one).
        while let Some(&(_, key)) = run.first() {
            members.clear();
            run.retain(|&(order, k)| {
                let same = std::ptr::eq(k, key) || k == key;
                if same {
                    members.push(order as usize);
                }
                !same
            });
            let stored = if ask_history {
                history.linked_orders(key)
            } else {
                Vec::new()
            };
            // Most keys belong to one order: nothing to link, nothing to allocate.
            if members.len() + stored.len() < 2 {
                continue;
            }
            decide_group(batch, key, &members, &stored, thresholds, &mut out);
        }
    }
    out
}

/// Passes a key's hash, already computed with [`FxBuildHasher`], through unchanged.
#[derive(Default, Clone, Copy)]
struct PassHasher(u64);

impl std::hash::Hasher for PassHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the map's keys are `u64`); anything else still hashes.
        let mut fx = rustc_hash::FxHasher::with_seed(self.0 as usize);
        fx.write(bytes);
        self.0 = fx.finish();
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type BuildPass = std::hash::BuildHasherDefault<PassHasher>;

/// The linking codes of one group: `members` (batch positions) share `key`, and the
/// history store returned `stored` for it.
fn decide_group<T: LinkItem>(
    batch: &[T],
    key: &LinkKey,
    members: &[usize],
    stored: &[Observation],
    thresholds: &Thresholds,
    out: &mut Vec<(u32, ReasonCode)>,
) {
    // Members are items with keys, and those have an observation: nothing is skipped.
    let own: Vec<(usize, &Observation)> = members
        .iter()
        .filter_map(|&i| batch[i].observation().map(|o| (i, o)))
        .collect();
    let batch_ids: HashSet<&str> = if stored.is_empty() {
        HashSet::default()
    } else {
        own.iter().map(|(_, o)| o.order_id.as_str()).collect()
    };
    let all: Vec<&Observation> = own
        .iter()
        .map(|&(_, o)| o)
        .chain(
            stored
                .iter()
                .filter(|o| !batch_ids.contains(o.order_id.as_str())),
        )
        .collect();
    if all.len() < 2 {
        return;
    }
    let mut mark = |code: ReasonCode, which: &dyn Fn(&Observation) -> bool| {
        for &(i, o) in &own {
            if which(o) {
                out.push((i as u32, code));
            }
        }
    };
    match key {
        LinkKey::Address(_) => {
            let names = distinct(&all, |o| o.name.as_deref());
            let emails = distinct(&all, |o| o.email.as_deref());
            let cards = distinct(&all, |o| o.card.as_deref());
            if names.max(emails).max(cards) >= thresholds.link_min_buyers {
                mark(ReasonCode::SharedAddressManyBuyers, &|_| true);
            }
        }
        LinkKey::Email(_) | LinkKey::Phone(_)
            if distinct(&all, |o| o.name.as_deref()) >= thresholds.link_min_names =>
        {
            mark(ReasonCode::SharedContactManyNames, &|_| true);
        }
        _ => {}
    }
    let (window, min, code) = match key {
        LinkKey::Card(_) | LinkKey::Email(_) | LinkKey::Ip(_) => (
            thresholds.burst_window_minutes,
            thresholds.burst_min_orders,
            ReasonCode::BurstOrders,
        ),
        LinkKey::JokeNames => (
            thresholds.series_window_minutes,
            thresholds.series_min_orders,
            ReasonCode::NameSeries,
        ),
        _ => return,
    };
    let window = window.saturating_mul(60);
    let mut times: Vec<i64> = all.iter().filter_map(|o| o.at.map(|t| t.0)).collect();
    times.sort_unstable();
    mark(code, &|o: &Observation| {
        o.at.is_some_and(|Timestamp(t)| {
            let lo = times.partition_point(|&x| x < t.saturating_sub(window));
            let hi = times.partition_point(|&x| x <= t.saturating_add(window));
            hi - lo >= min
        })
    });
}

/// How many distinct values `f` gives over a group (groups are small: sorting a few
/// strings beats building a hash set of them).
fn distinct<'a>(all: &[&'a Observation], f: impl Fn(&'a Observation) -> Option<&'a str>) -> usize {
    let mut values: Vec<&str> = all.iter().filter_map(|o| f(o)).collect();
    values.sort_unstable();
    values.dedup();
    values.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{MemoryHistory, NoHistory};

    fn obs(id: &str, name: &str, at: Option<i64>) -> Observation {
        Observation {
            order_id: id.into(),
            at: at.map(Timestamp),
            name: Some(name.into()),
            ..Default::default()
        }
    }

    fn run(batch: &[(Observation, Vec<LinkKey>)]) -> Vec<Vec<ReasonCode>> {
        link(batch, &NoHistory, &Thresholds::default())
    }

    #[test]
    fn shared_address() {
        let k = vec![LinkKey::Address("東京都世田谷区池尻|c1|b2|g3".into())];
        let three = vec![
            (obs("1", "a", None), k.clone()),
            (obs("2", "b", None), k.clone()),
            (obs("3", "c", None), k.clone()),
        ];
        assert!(run(&three)
            .iter()
            .all(|c| c == &[ReasonCode::SharedAddressManyBuyers]));
        // Two buyers, or one buyer three times, is not many.
        let same = vec![
            (obs("1", "a", None), k.clone()),
            (obs("2", "a", None), k.clone()),
            (obs("3", "a", None), k.clone()),
        ];
        assert!(run(&same).iter().all(Vec::is_empty));
        assert!(run(&three[..2]).iter().all(Vec::is_empty));
    }

    #[test]
    fn shared_contact() {
        let k = vec![LinkKey::Email("x@example.jp".into())];
        let batch = vec![
            (obs("1", "a", None), k.clone()),
            (obs("2", "b", None), k.clone()),
            (obs("3", "c", None), k.clone()),
        ];
        assert!(run(&batch)
            .iter()
            .all(|c| c == &[ReasonCode::SharedContactManyNames]));
        let two = vec![
            (obs("1", "a", None), k.clone()),
            (obs("2", "b", None), k.clone()),
        ];
        assert!(run(&two).iter().all(Vec::is_empty));
    }

    #[test]
    fn bursts_need_time_closeness() {
        let k = vec![LinkKey::Card("fp".into())];
        let batch = vec![
            (obs("1", "a", Some(0)), k.clone()),
            (obs("2", "a", Some(600)), k.clone()),
            (obs("3", "a", Some(1200)), k.clone()),
            (obs("4", "a", Some(86_400)), k.clone()),
            (obs("5", "a", None), k.clone()),
        ];
        let r = run(&batch);
        assert_eq!(r[0], [ReasonCode::BurstOrders]);
        assert_eq!(r[2], [ReasonCode::BurstOrders]);
        assert!(r[3].is_empty() && r[4].is_empty());
    }

    #[test]
    fn name_series() {
        let k = vec![LinkKey::JokeNames];
        let batch = vec![
            (obs("1", "徳川家康", Some(0)), k.clone()),
            (obs("2", "真田幸村", Some(300)), k.clone()),
            (obs("3", "織田信長", Some(100_000)), k.clone()),
        ];
        let r = run(&batch);
        assert_eq!(r[0], [ReasonCode::NameSeries]);
        assert_eq!(r[1], [ReasonCode::NameSeries]);
        assert!(r[2].is_empty());
    }

    #[test]
    fn history_store_counts_once() {
        let key = LinkKey::Phone("+819011112222".into());
        let mut h = MemoryHistory::default();
        h.orders.insert(
            key.clone(),
            vec![
                obs("old-1", "b", None),
                obs("old-2", "c", None),
                obs("1", "a", None),
            ],
        );
        let r = link(
            &[(obs("1", "a", None), vec![key.clone()])],
            &h,
            &Thresholds::default(),
        );
        assert_eq!(r[0], [ReasonCode::SharedContactManyNames]);
        // The stored copy of order 1 does not count as a second name.
        h.orders.insert(
            key.clone(),
            vec![obs("1", "z", None), obs("old", "b", None)],
        );
        let r = link(
            &[(obs("1", "a", None), vec![key])],
            &h,
            &Thresholds::default(),
        );
        assert!(r[0].is_empty());
    }

    #[test]
    fn order_independent() {
        let ka = LinkKey::Address("raw:x".into());
        let kc = LinkKey::Card("c".into());
        let batch: Vec<_> = (0..7)
            .map(|i| {
                (
                    obs(&i.to_string(), &format!("n{}", i % 4), Some(i * 700)),
                    vec![ka.clone(), kc.clone()],
                )
            })
            .collect();
        let forward = run(&batch);
        let mut rev = batch.clone();
        rev.reverse();
        let mut backward = run(&rev);
        backward.reverse();
        assert_eq!(forward, backward);
    }

    #[test]
    fn keys_with_one_hash_stay_apart() {
        // Two different keys forced onto one hash: each is its own group.
        let a = LinkKey::Phone("+819011112222".into());
        let b = LinkKey::Phone("+819033334444".into());
        let batch: Vec<(Observation, Vec<HashedKey>)> = (0..4)
            .map(|i| {
                let key = if i < 3 { a.clone() } else { b.clone() };
                let o = obs(&i.to_string(), &format!("n{i}"), None);
                (o, vec![HashedKey { hash: 7, key }])
            })
            .collect();
        let codes = |b: &[(Observation, Vec<HashedKey>)]| -> Vec<Vec<ReasonCode>> {
            link_with(b, &NoHistory, &Thresholds::default(), false)
                .into_iter()
                .map(|m| codes_of(m).collect())
                .collect()
        };
        let r = codes(&batch);
        assert!(r[..3]
            .iter()
            .all(|c| c == &[ReasonCode::SharedContactManyNames]));
        assert!(r[3].is_empty(), "{:?}", r[3]);
        // With only two orders on `a`, the colliding `b` does not make a third name.
        let r = codes(&batch[1..]);
        assert!(r.iter().all(Vec::is_empty), "{r:?}");
    }

    #[test]
    fn parallel_equals_serial() {
        let keys = [
            LinkKey::Address("a".into()),
            LinkKey::Address("b".into()),
            LinkKey::Card("c".into()),
            LinkKey::Email("e".into()),
            LinkKey::Ip("i".into()),
            LinkKey::JokeNames,
        ];
        let batch: Vec<_> = (0..2000i64)
            .map(|i| {
                let own = LinkKey::Phone(format!("+81{}", i % 300));
                let shared: Vec<LinkKey> = keys
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| (i as usize * 7 + k) % 5 == 0)
                    .map(|(_, k)| k.clone())
                    .chain([own])
                    .collect();
                (
                    obs(
                        &i.to_string(),
                        &format!("n{}", i % 13),
                        Some(i * 97 % 20_000),
                    ),
                    shared,
                )
            })
            .collect();
        let batch: Vec<(Observation, Vec<HashedKey>)> = batch
            .into_iter()
            .map(|(o, keys)| (o, keys.into_iter().map(HashedKey::new).collect()))
            .collect();
        let serial = link_with(&batch, &NoHistory, &Thresholds::default(), false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool.install(|| link_with(&batch, &NoHistory, &Thresholds::default(), true));
        assert_eq!(serial, parallel);
        let serial: Vec<Vec<ReasonCode>> =
            serial.into_iter().map(|m| codes_of(m).collect()).collect();
        assert!(serial
            .iter()
            .any(|c| c.contains(&ReasonCode::SharedContactManyNames)));
        assert!(serial.iter().any(|c| c.contains(&ReasonCode::BurstOrders)));
        assert!(serial.iter().all(|c| c.windows(2).all(|w| w[0] < w[1])));
    }
}
