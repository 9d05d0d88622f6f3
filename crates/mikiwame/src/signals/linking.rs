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

use std::collections::{BTreeSet, HashMap, HashSet};

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
    let mut groups: HashMap<&LinkKey, Vec<usize>, BuildFx> = HashMap::default();
    for (i, (_, keys)) in batch.iter().enumerate() {
        for k in keys {
            groups.entry(k).or_default().push(i);
        }
    }
    let mut found: Vec<BTreeSet<ReasonCode>> = vec![BTreeSet::new(); batch.len()];
    for (key, members) in groups {
        let stored = history.linked_orders(key);
        // Most keys belong to one order: nothing to link, nothing to allocate.
        if members.len() + stored.len() < 2 {
            continue;
        }
        let batch_ids: HashSet<&str> = members
            .iter()
            .map(|&i| batch[i].0.order_id.as_str())
            .collect();
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
            continue;
        }
        let mut mark = |code: ReasonCode, which: &dyn Fn(&Observation) -> bool| {
            for &i in &members {
                if which(&batch[i].0) {
                    found[i].insert(code);
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
            _ => continue,
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
    found
        .into_iter()
        .map(|codes| codes.into_iter().collect())
        .collect()
}

/// FxHash (as in rustc): the groups are keyed by short strings, where SipHash's
/// protection against crafted collisions costs more than it buys in a batch job.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
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

type BuildFx = std::hash::BuildHasherDefault<FxHasher>;

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
}
