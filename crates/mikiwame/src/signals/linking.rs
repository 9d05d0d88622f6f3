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
        .map(|(o, keys)| (o.clone(), keys.iter().map(HashedKey::new).collect()))
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
        .filter(move |(i, _)| mask & (1 << i) != 0)
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
    fn observed(&self) -> Option<Observed<'_>>;
    /// How many keys the order links under.
    fn key_count(&self) -> usize;
    /// Key `i` (below [`LinkItem::key_count`]).
    fn key(&self, i: usize) -> KeyRef<'_>;
}

/// An [`Observation`], borrowed: from the store's observations or from a [`Linkable`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observed<'a> {
    order_id: &'a str,
    at: Option<Timestamp>,
    name: Option<&'a str>,
    email: Option<&'a str>,
    card: Option<&'a str>,
}

impl<'a> From<&'a Observation> for Observed<'a> {
    fn from(o: &'a Observation) -> Observed<'a> {
        Observed {
            order_id: &o.order_id,
            at: o.at,
            name: o.name.as_deref(),
            email: o.email.as_deref(),
            card: o.card.as_deref(),
        }
    }
}

/// The kinds of [`LinkKey`]: a key is its kind and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum KeyKind {
    #[default]
    Address,
    Email,
    Phone,
    Card,
    Ip,
    JokeNames,
}

impl KeyKind {
    /// The kind and the text of a key.
    fn split(key: &LinkKey) -> (KeyKind, &str) {
        match key {
            LinkKey::Address(s) => (KeyKind::Address, s),
            LinkKey::Email(s) => (KeyKind::Email, s),
            LinkKey::Phone(s) => (KeyKind::Phone, s),
            LinkKey::Card(s) => (KeyKind::Card, s),
            LinkKey::Ip(s) => (KeyKind::Ip, s),
            LinkKey::JokeNames => (KeyKind::JokeNames, ""),
        }
    }

    /// The key of this kind with `text` (ignored for [`KeyKind::JokeNames`]).
    fn key(self, text: &str) -> LinkKey {
        match self {
            KeyKind::Address => LinkKey::Address(text.to_string()),
            KeyKind::Email => LinkKey::Email(text.to_string()),
            KeyKind::Phone => LinkKey::Phone(text.to_string()),
            KeyKind::Card => LinkKey::Card(text.to_string()),
            KeyKind::Ip => LinkKey::Ip(text.to_string()),
            KeyKind::JokeNames => LinkKey::JokeNames,
        }
    }

    /// The hash a key is grouped by. Computed where the key is made (while its text is in
    /// the cache), so that linking a batch reads the text only of keys that more than one
    /// order has.
    fn hash(self, text: &str) -> u64 {
        use std::hash::BuildHasher;
        FxBuildHasher.hash_one((self as u8, text))
    }
}

/// One key of a [`LinkItem`], borrowed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyRef<'a> {
    hash: u64,
    kind: KeyKind,
    text: &'a str,
}

impl KeyRef<'_> {
    fn same(&self, other: &KeyRef<'_>) -> bool {
        self.kind == other.kind && self.text == other.text
    }
}

/// A link key with its hash (see [`KeyKind::hash`]), for the public [`link`].
#[derive(Debug, Clone)]
pub(crate) struct HashedKey {
    hash: u64,
    key: LinkKey,
}

impl HashedKey {
    pub(crate) fn new(key: &LinkKey) -> HashedKey {
        let (kind, text) = KeyKind::split(key);
        HashedKey {
            hash: kind.hash(text),
            key: key.clone(),
        }
    }
}

impl LinkItem for (Observation, Vec<HashedKey>) {
    fn observed(&self) -> Option<Observed<'_>> {
        Some(Observed::from(&self.0))
    }
    fn key_count(&self) -> usize {
        self.1.len()
    }
    fn key(&self, i: usize) -> KeyRef<'_> {
        let HashedKey { hash, key } = &self.1[i];
        let (kind, text) = KeyKind::split(key);
        KeyRef {
            hash: *hash,
            kind,
            text,
        }
    }
}

/// The most keys one order links under: its ship-to address, the emails and phones of
/// its two parties (buyer and receiver), its card, its IP and the joke names.
pub(crate) const MAX_KEYS: usize = 8;

/// A key of a [`Linkable`]: its hash and kind, and where its text ends in the buffer.
#[derive(Debug, Clone, Copy, Default)]
struct PackedKey {
    hash: u64,
    end: usize,
    kind: KeyKind,
}

/// What linking needs of one scored order (its [`Observation`] and the keys it links
/// under) with every text in one buffer.
///
/// An order's linking data is made on the thread that evaluated the order and dropped,
/// after linking, on whichever thread assesses it; with one `String` per text that was a
/// dozen allocations an order freed across threads, where freeing costs the most.
///
/// ```text
/// text: order ID | name | email | card | key 0 | key 1 | ...
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct Linkable {
    text: String,
    /// Where the order ID, name, email and card end in `text`.
    ends: [usize; 4],
    /// Which of name, email and card were given (bits 0, 1, 2).
    given: u8,
    at: Option<Timestamp>,
    keys: [PackedKey; MAX_KEYS],
    len: usize,
}

impl Linkable {
    /// The observation's fields, with room for `room` bytes of key text.
    pub(crate) fn new(
        order_id: &str,
        at: Option<Timestamp>,
        [name, email, card]: [Option<&str>; 3],
        room: usize,
    ) -> Linkable {
        let fields = [Some(order_id), name, email, card];
        let size: usize = fields.iter().flatten().map(|s| s.len()).sum();
        let mut text = String::with_capacity(size + room);
        let mut ends = [0; 4];
        let mut given = 0;
        for (i, field) in fields.iter().enumerate() {
            if let Some(s) = field {
                text.push_str(s);
                if i > 0 {
                    given |= 1 << (i - 1);
                }
            }
            ends[i] = text.len();
        }
        Linkable {
            text,
            ends,
            given,
            at,
            keys: [PackedKey::default(); MAX_KEYS],
            len: 0,
        }
    }

    /// Adds a key (`text` is ignored for [`KeyKind::JokeNames`]).
    ///
    /// # Panics
    /// When [`MAX_KEYS`] keys are there already, which an order's keys never reach.
    pub(crate) fn push(&mut self, kind: KeyKind, text: &str) {
        let text = if kind == KeyKind::JokeNames { "" } else { text };
        let hash = kind.hash(text);
        self.text.push_str(text);
        self.keys[self.len] = PackedKey {
            hash,
            end: self.text.len(),
            kind,
        };
        self.len += 1;
    }

    /// The order's ID.
    pub(crate) fn order_id(&self) -> &str {
        &self.text[..self.ends[0]]
    }

    /// The buyer's normalized email.
    pub(crate) fn email(&self) -> Option<&str> {
        self.field(2)
    }

    /// Field `i` of the observation (1: name, 2: email, 3: card), if given.
    fn field(&self, i: usize) -> Option<&str> {
        (self.given & (1 << (i - 1)) != 0).then(|| &self.text[self.ends[i - 1]..self.ends[i]])
    }
}

impl LinkItem for Linkable {
    fn observed(&self) -> Option<Observed<'_>> {
        Some(Observed {
            order_id: self.order_id(),
            at: self.at,
            name: self.field(1),
            email: self.field(2),
            card: self.field(3),
        })
    }
    fn key_count(&self) -> usize {
        self.len
    }
    fn key(&self, i: usize) -> KeyRef<'_> {
        let k = self.keys[i];
        let start = match i {
            0 => self.ends[3],
            _ => self.keys[i - 1].end,
        };
        KeyRef {
            hash: k.hash,
            kind: k.kind,
            text: &self.text[start..k.end],
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
    fn gather<T: LinkItem>((b, block): (usize, &[T])) -> Vec<Vec<Entry>> {
        let keys: usize = block.iter().map(LinkItem::key_count).sum();
        // Room for an even spread and some more, so that few shards grow.
        let room = keys / SHARDS + keys / (4 * SHARDS) + 8;
        let mut shards: Vec<Vec<Entry>> = (0..SHARDS).map(|_| Vec::with_capacity(room)).collect();
        for (i, item) in block.iter().enumerate() {
            for k in 0..item.key_count() {
                let hash = item.key(k).hash;
                shards[shard_of(hash)].push((hash, (b * BLOCK + i) as u32, k as u32));
            }
        }
        shards
    }
    let blocks: Vec<Vec<Vec<Entry>>> = if parallel {
        batch.par_chunks(BLOCK).enumerate().map(gather).collect()
    } else {
        batch.chunks(BLOCK).enumerate().map(gather).collect()
    };
    let masks: Vec<AtomicU64> = (0..batch.len()).map(|_| AtomicU64::new(0)).collect();
    let ask_history = history.keeps_orders();
    let run = |shard: usize| {
        let mine: Vec<Entry> = blocks
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

/// One key of one item: its hash, the item's position, the key's position in the item.
type Entry = (u64, u32, u32);

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
    mine: Vec<Entry>,
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
    let mut run: Vec<(u32, KeyRef<'_>)> = Vec::new();
    for (head, count) in heads.into_values() {
        if count == 1 && !ask_history {
            continue;
        }
        run.clear();
        let mut p = head;
        while p != END {
            let (_, order, key) = mine[p as usize];
            run.push((order, batch[order as usize].key(key as usize)));
            p = next[p as usize];
        }
        // One group per distinct key among the equal hashes (nearly always one).
        while let Some(&(_, key)) = run.first() {
            members.clear();
            run.retain(|&(order, k)| {
                let same = k.same(&key);
                if same {
                    members.push(order as usize);
                }
                !same
            });
            let stored = if ask_history {
                history.linked_orders(&key.kind.key(key.text))
            } else {
                Vec::new()
            };
            // Most keys belong to one order: nothing to link, nothing to allocate.
            if members.len() + stored.len() < 2 {
                continue;
            }
            decide_group(batch, key.kind, &members, &stored, thresholds, &mut out);
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

/// The linking codes of one group: `members` (batch positions) share a key of `kind`, and
/// the history store returned `stored` for it.
fn decide_group<T: LinkItem>(
    batch: &[T],
    kind: KeyKind,
    members: &[usize],
    stored: &[Observation],
    thresholds: &Thresholds,
    out: &mut Vec<(u32, ReasonCode)>,
) {
    // Members are items with keys, and those have an observation: nothing is skipped.
    let own: Vec<(usize, Observed<'_>)> = members
        .iter()
        .filter_map(|&i| batch[i].observed().map(|o| (i, o)))
        .collect();
    let batch_ids: HashSet<&str> = if stored.is_empty() {
        HashSet::default()
    } else {
        own.iter().map(|(_, o)| o.order_id).collect()
    };
    let all: Vec<Observed<'_>> = own
        .iter()
        .map(|&(_, o)| o)
        .chain(
            stored
                .iter()
                .filter(|o| !batch_ids.contains(o.order_id.as_str()))
                .map(Observed::from),
        )
        .collect();
    if all.len() < 2 {
        return;
    }
    let mut mark = |code: ReasonCode, which: &dyn Fn(&Observed<'_>) -> bool| {
        for &(i, o) in &own {
            if which(&o) {
                out.push((i as u32, code));
            }
        }
    };
    match kind {
        KeyKind::Address => {
            let names = distinct(&all, |o| o.name);
            let emails = distinct(&all, |o| o.email);
            let cards = distinct(&all, |o| o.card);
            if names.max(emails).max(cards) >= thresholds.link_min_buyers {
                mark(ReasonCode::SharedAddressManyBuyers, &|_| true);
            }
        }
        KeyKind::Email | KeyKind::Phone
            if distinct(&all, |o| o.name) >= thresholds.link_min_names =>
        {
            mark(ReasonCode::SharedContactManyNames, &|_| true);
        }
        _ => {}
    }
    let (window, min, code) = match kind {
        KeyKind::Card | KeyKind::Email | KeyKind::Ip => (
            thresholds.burst_window_minutes,
            thresholds.burst_min_orders,
            ReasonCode::BurstOrders,
        ),
        KeyKind::JokeNames => (
            thresholds.series_window_minutes,
            thresholds.series_min_orders,
            ReasonCode::NameSeries,
        ),
        _ => return,
    };
    let window = window.saturating_mul(60);
    let mut times: Vec<i64> = all.iter().filter_map(|o| o.at.map(|t| t.0)).collect();
    times.sort_unstable();
    mark(code, &|o: &Observed<'_>| {
        o.at.is_some_and(|Timestamp(t)| {
            let lo = times.partition_point(|&x| x < t.saturating_sub(window));
            let hi = times.partition_point(|&x| x <= t.saturating_add(window));
            hi - lo >= min
        })
    });
}

/// How many distinct values `f` gives over a group (groups are small: sorting a few
/// strings beats building a hash set of them).
fn distinct<'a>(all: &[Observed<'a>], f: impl Fn(&Observed<'a>) -> Option<&'a str>) -> usize {
    let mut values: Vec<&str> = all.iter().filter_map(&f).collect();
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
            .map(|(o, keys)| (o, keys.iter().map(HashedKey::new).collect()))
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

    /// A pair's observation and keys, packed as the engine packs an order's.
    fn packed((o, keys): &(Observation, Vec<LinkKey>)) -> Linkable {
        let room = keys.iter().map(|k| KeyKind::split(k).1.len()).sum();
        let fields = [o.name.as_deref(), o.email.as_deref(), o.card.as_deref()];
        let mut l = Linkable::new(&o.order_id, o.at, fields, room);
        for k in keys {
            let (kind, text) = KeyKind::split(k);
            l.push(kind, text);
        }
        l
    }

    #[test]
    fn linkable_keeps_every_field_and_key() {
        let o = Observation {
            order_id: "o-1".into(),
            at: Some(Timestamp(5)),
            name: None,
            email: Some("a@example.jp".into()),
            card: Some("".into()),
        };
        let keys = vec![
            LinkKey::Address("東京都|c1".into()),
            LinkKey::Email("a@example.jp".into()),
            LinkKey::Email("b@example.jp".into()),
            LinkKey::Phone("+819011112222".into()),
            LinkKey::Phone("+819033334444".into()),
            LinkKey::Card("".into()),
            LinkKey::Ip("192.0.2.1".into()),
            LinkKey::JokeNames,
        ];
        assert_eq!(keys.len(), MAX_KEYS);
        let l = packed(&(o.clone(), keys.clone()));
        assert_eq!(l.order_id(), "o-1");
        assert_eq!(l.email(), Some("a@example.jp"));
        let seen = l.observed().unwrap();
        assert_eq!(
            (seen.at, seen.name, seen.email, seen.card),
            (o.at, None, Some("a@example.jp"), Some(""))
        );
        assert_eq!(l.key_count(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            let got = l.key(i);
            assert_eq!(got.kind.key(got.text), *k);
            assert_eq!(got.hash, HashedKey::new(k).hash);
        }
    }

    proptest::proptest! {
        /// Packed orders link exactly as the same observations and keys given apart.
        #[test]
        fn packed_links_as_pairs(
            rows in proptest::collection::vec(
                (0u8..4, proptest::option::of(0u8..3), 0i64..4000, proptest::collection::vec((0u8..6, 0u8..3), 0..5)),
                0..40,
            )
        ) {
            let kinds = [KeyKind::Address, KeyKind::Email, KeyKind::Phone, KeyKind::Card, KeyKind::Ip, KeyKind::JokeNames];
            let batch: Vec<(Observation, Vec<LinkKey>)> = rows
                .iter()
                .enumerate()
                .map(|(i, (name, email, at, keys))| {
                    let o = Observation {
                        order_id: format!("o{i}"),
                        at: Some(Timestamp(*at)),
                        name: Some(format!("n{name}")),
                        email: email.map(|e| format!("e{e}")),
                        card: None,
                    };
                    let keys = keys.iter().map(|(k, t)| kinds[*k as usize].key(&format!("k{t}"))).collect();
                    (o, keys)
                })
                .collect();
            let packed: Vec<Linkable> = batch.iter().map(packed).collect();
            let th = Thresholds::default();
            let apart: Vec<u64> = link(&batch, &NoHistory, &th)
                .iter()
                .map(|codes| codes.iter().fold(0, |m, c| m | bit_of(*c)))
                .collect();
            proptest::prop_assert_eq!(link_with(&packed, &NoHistory, &th, false), apart.clone());
            proptest::prop_assert_eq!(link_with(&packed, &NoHistory, &th, true), apart);
        }
    }
}
