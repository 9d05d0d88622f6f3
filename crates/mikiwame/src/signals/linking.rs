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

use rustc_hash::{FxBuildHasher, FxHashSet as HashSet, FxHasher};

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
    link_with(batch, history, thresholds, false)
}

/// How many shards the keys are split into when linking in parallel: each shard groups
/// its own keys, so the shards need no shared map and no lock.
const SHARDS: usize = 16;

/// [`link`], with the grouping and the group decisions spread over the current rayon pool
/// when `parallel` (the keys are sharded by hash; a key's group lives in one shard, so
/// the result is the same as the serial one).
pub(crate) fn link_with(
    batch: &[(Observation, Vec<LinkKey>)],
    history: &dyn History,
    thresholds: &Thresholds,
    parallel: bool,
) -> Vec<Vec<ReasonCode>> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let build = FxBuildHasher;
    // Every (key, order) pair, with the key's hash computed once.
    let mut entries: Vec<(u64, u32, &LinkKey)> =
        Vec::with_capacity(batch.iter().map(|(_, k)| k.len()).sum());
    for (i, (_, keys)) in batch.iter().enumerate() {
        for k in keys {
            entries.push((build.hash_one(k), i as u32, k));
        }
    }
    let shard_of = |h: u64| (h >> 40) as usize % SHARDS;
    let run = |shard: usize| -> Vec<(u32, ReasonCode)> {
        link_shard(batch, &entries, shard_of, shard, history, thresholds)
    };
    let marks: Vec<Vec<(u32, ReasonCode)>> = if parallel {
        (0..SHARDS).into_par_iter().map(run).collect()
    } else {
        (0..SHARDS).map(run).collect()
    };
    let mut found: Vec<Vec<ReasonCode>> = vec![Vec::new(); batch.len()];
    for (i, code) in marks.into_iter().flatten() {
        found[i as usize].push(code);
    }
    for codes in &mut found {
        if codes.len() > 1 {
            codes.sort_unstable();
            codes.dedup();
        }
    }
    found
}

/// Groups the entries of one shard by key and decides each group: the (order, code)
/// pairs found.
fn link_shard(
    batch: &[(Observation, Vec<LinkKey>)],
    entries: &[(u64, u32, &LinkKey)],
    shard_of: impl Fn(u64) -> usize,
    shard: usize,
    history: &dyn History,
    thresholds: &Thresholds,
) -> Vec<(u32, ReasonCode)> {
    // Groups as chains through `next` (no vector per key: most keys have one order).
    const END: u32 = u32::MAX;
    let mut heads: HashMap<Hashed<'_>, (u32, u32), BuildPass> = HashMap::default();
    let mut next: Vec<u32> = vec![END; entries.len()];
    for (e, &(hash, _, key)) in entries.iter().enumerate() {
        if shard_of(hash) != shard {
            continue;
        }
        let head = heads.entry(Hashed { hash, key }).or_insert((END, 0));
        next[e] = head.0;
        *head = (e as u32, head.1 + 1);
    }
    let mut out = Vec::new();
    let mut members: Vec<usize> = Vec::new();
    for (Hashed { key, .. }, (head, count)) in heads {
        let stored = history.linked_orders(key);
        // Most keys belong to one order: nothing to link, nothing to allocate.
        if count as usize + stored.len() < 2 {
            continue;
        }
        members.clear();
        let mut e = head;
        while e != END {
            members.push(entries[e as usize].1 as usize);
            e = next[e as usize];
        }
        decide_group(batch, key, &members, &stored, thresholds, &mut out);
    }
    out
}

/// The linking codes of one group: `members` (batch positions) share `key`, and the
/// history store returned `stored` for it.
fn decide_group(
    batch: &[(Observation, Vec<LinkKey>)],
    key: &LinkKey,
    members: &[usize],
    stored: &[Observation],
    thresholds: &Thresholds,
    out: &mut Vec<(u32, ReasonCode)>,
) {
    let batch_ids: HashSet<&str> = if stored.is_empty() {
        HashSet::default()
    } else {
        members
            .iter()
            .map(|&i| batch[i].0.order_id.as_str())
            .collect()
    };
    let all: Vec<&Observation> = members
        .iter()
        .map(|&i| &batch[i].0)
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
        for &i in members {
            if which(&batch[i].0) {
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

/// A key with its hash computed once, up front (in parallel when linking is).
#[derive(Clone, Copy)]
struct Hashed<'a> {
    hash: u64,
    key: &'a LinkKey,
}

impl std::hash::Hash for Hashed<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for Hashed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl Eq for Hashed<'_> {}

/// Passes a [`Hashed`] key's hash through unchanged.
#[derive(Default, Clone, Copy)]
struct PassHasher(u64);

impl std::hash::Hasher for PassHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `Hashed`; anything else still hashes soundly.
        let mut fx = FxHasher::with_seed(self.0 as usize);
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

fn distinct<'a>(all: &[&'a Observation], f: impl Fn(&'a Observation) -> Option<&'a str>) -> usize {
    all.iter()
        .filter_map(|o| f(o))
        .collect::<HashSet<_>>()
        .len()
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
        let serial = link_with(&batch, &NoHistory, &Thresholds::default(), false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool.install(|| link_with(&batch, &NoHistory, &Thresholds::default(), true));
        assert_eq!(serial, parallel);
        assert!(serial
            .iter()
            .any(|c| c.contains(&ReasonCode::SharedContactManyNames)));
        assert!(serial.iter().any(|c| c.contains(&ReasonCode::BurstOrders)));
        assert!(serial.iter().all(|c| c.windows(2).all(|w| w[0] < w[1])));
    }
}
