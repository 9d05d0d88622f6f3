//! Graded queries: how close an address comes to past fraud, whether it is a forwarding
//! service, and the contact lookups.

use std::cell::RefCell;

use crate::address::{Address, LocalityHasher};
use crate::contact::{normalize_email, normalize_phone};

use super::date;
use super::forwarding::{fold, has_forwarding_word, has_generic_code};
use super::grade::{AddressCheck, AddressMatch, Forwarding, ForwardingLevel, Grade, MatchedRecord};
use super::keys::{
    building_key, canonical_card, encode_body_with, locality_of, prefix_end, put_banchi,
    AddressKeys, Kind, Marks, LOCALITY_LEN,
};
use super::open::{Index, LocalityState, Node, Nodes};

/// What to do with records older than [`CheckOptions::max_age_days`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OldRecords {
    /// Old records grade one step lower (danger becomes caution, caution warning, warning
    /// nothing): a vacant flat used for fraud may have an honest new tenant.
    #[default]
    DownWeight,
    /// Old records are not matched at all.
    Ignore,
}

/// Options of a check.
///
/// ```
/// use mikiwame::index::{CheckOptions, OldRecords};
/// let opts = CheckOptions { near_banchi: 2, max_age_days: Some(730), ..Default::default() };
/// assert_eq!(opts.old_records, OldRecords::DownWeight);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// How far apart two 番 of the same town and 丁目 may be and still count as near
    /// (`warning`). Default 1; 0 leaves only the same 番 with another 号.
    pub near_banchi: u32,
    /// Records older than this many days (by the date of `recorded_at`) are treated as
    /// [`CheckOptions::old_records`] says. Default `None`: age does not matter. Records
    /// without a readable date are never old.
    pub max_age_days: Option<u32>,
    /// What old records do.
    pub old_records: OldRecords,
    /// Today, in days since 1970-01-01; `None` uses the system clock (tests fix it).
    pub today: Option<i32>,
    /// The most records returned with one answer.
    pub max_records: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            near_banchi: 1,
            max_age_days: None,
            old_records: OldRecords::DownWeight,
            today: None,
            max_records: 16,
        }
    }
}

impl CheckOptions {
    /// Sets `today` from a date (`YYYY-MM-DD`); returns `None` when it is not a date.
    ///
    /// ```
    /// let opts = mikiwame::index::CheckOptions::default().with_today("2026-11-21").unwrap();
    /// assert!(opts.today.is_some());
    /// ```
    pub fn with_today(mut self, date: &str) -> Option<Self> {
        self.today = Some(date::parse_day(date)?);
        Some(self)
    }
}

/// The most keys looked at in one range of a query: keeps every query bounded however many
/// records one building holds.
const KEYS_PER_RANGE: usize = 32;

/// Up to this many 番 around the address's own are probed one by one (a walk each); wider
/// `near_banchi` settings read key ranges instead.
const NEAR_WALKS: u32 = 16;

/// How far one address key's walk got: the 丁目 state (`None`: no key shares the town and
/// 丁目), whether the 番 and block states were reached, and whether the unit is a key.
#[derive(Default)]
struct Reach<'a> {
    chome: Option<Node<'a>>,
    banchi: bool,
    block: bool,
    unit: bool,
}

/// Key bytes a batch [`Slot`] holds inline: every usual address key (locality hash, 丁目,
/// 番, the one-byte block tail and a room of up to two bytes is 13) with room to spare.
const SLOT_KEY: usize = 19;

/// How many runs of a batch's sorted slots [`Index::grade_batch`] walks at once, a state
/// of each in turn, on automata larger than the cache: each step asks for the state it
/// will read next and moves on to another run, so the runs' cache misses overlap instead
/// of stalling one after another.
const INTERLEAVED_RUNS: usize = 4;

/// The size of the automata on which [`Index::grade_batch`] interleaves its walks. Below
/// it the states mostly sit in the cache and asking ahead only adds work: measured on a
/// machine with 8 MiB of L3, four runs took a quarter less time than one on a 98 MB automaton
/// (10M records), and two runs 8% more on a 9 MB one (1M records).
const INTERLEAVE_FROM_BYTES: usize = 32 << 20;

/// One address of a batch: its key body inline and what grading needs of the address
/// besides (copied here, so the sorted pass reads the batch front to back and never jumps
/// around the caller's addresses or a shared key buffer).
#[derive(Clone, Copy)]
struct Slot {
    /// The key body, zero-padded.
    key: [u8; SLOT_KEY],
    len: u8,
    /// [`Slot::FORWARDING_ID`], [`Slot::HAS_BANCHI`].
    flags: u8,
    /// [`Marks`], which fit in a byte each since the key does.
    marks: [u8; 3],
    /// The address's place in the batch.
    index: u32,
    banchi: u32,
}

impl Slot {
    const FORWARDING_ID: u8 = 1;
    const HAS_BANCHI: u8 = 2;

    /// The slot of key body `body` (with its marks) of `a`, the batch's `index`th address;
    /// `None` when the body is longer than a slot holds.
    fn new(body: &[u8], m: Marks, index: u32, a: &Address) -> Option<Slot> {
        if body.len() > SLOT_KEY {
            return None;
        }
        let mut key = [0u8; SLOT_KEY];
        key[..body.len()].copy_from_slice(body);
        let flags = if a.forwarding_id.is_some() {
            Self::FORWARDING_ID
        } else {
            0
        } | if a.banchi.is_some() {
            Self::HAS_BANCHI
        } else {
            0
        };
        Some(Slot {
            key,
            len: body.len() as u8,
            flags,
            // Each mark is at most the body's length, which fits in a slot.
            marks: [m.chome as u8, m.banchi as u8, m.block as u8],
            index,
            banchi: a.banchi.unwrap_or(0),
        })
    }

    fn key(&self) -> &[u8] {
        &self.key[..usize::from(self.len)]
    }

    fn locality(&self) -> u64 {
        locality_of(&self.key)
    }

    /// The key as two integers that order as its bytes do (one comparison instead of a
    /// `memcmp` call per pair while sorting).
    fn order(&self) -> (u64, u128) {
        let mut rest = [0u8; 16];
        rest[..SLOT_KEY - LOCALITY_LEN].copy_from_slice(&self.key[LOCALITY_LEN..]);
        (self.locality(), u128::from_be_bytes(rest))
    }

    fn marks(&self) -> Marks {
        Marks {
            chome: usize::from(self.marks[0]),
            banchi: usize::from(self.marks[1]),
            block: usize::from(self.marks[2]),
        }
    }

    fn forwarding_id(&self) -> bool {
        self.flags & Self::FORWARDING_ID != 0
    }

    fn banchi(&self) -> Option<u32> {
        (self.flags & Self::HAS_BANCHI != 0).then_some(self.banchi)
    }
}

/// The buffers of an [`Index::grade_batch`] call, which the index keeps for its next call.
///
/// A fresh buffer of a few megabytes comes from the system as untouched pages, and the
/// first write to each page faults: on the bench machine (a VM) a fault cost several
/// microseconds, and the faults of a 100,000-address batch's fresh buffers (1,660 pages)
/// a fifth of the call.
#[derive(Default)]
pub(crate) struct BatchBuffers {
    /// The batch's slots, in key order after [`sort_slots`].
    slots: Vec<Slot>,
    /// The sort's second buffer.
    spare: Vec<Slot>,
    /// The sort's bucket starts and next places.
    starts: Vec<u32>,
    next: Vec<u32>,
}

/// Buffers of batches of up to this many addresses go back to the index's pool (at most
/// 8 MiB each); those of larger batches are freed.
const RETAINED_SLOTS: usize = 1 << 18;

/// The buffers an [`Index`] keeps between [`Index::grade_batch`] calls: one set per call
/// running at the same time, up to the machine's number of threads.
#[derive(Default)]
pub(crate) struct BufferPool(std::sync::Mutex<Vec<BatchBuffers>>);

impl BufferPool {
    /// A set of buffers: a kept one, or new empty ones.
    fn take(&self) -> BatchBuffers {
        // A poisoned lock only means another call panicked while pushing or popping a
        // set; the vector itself is whole.
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pool.pop().unwrap_or_default()
    }

    /// Keeps `buffers` for a later call, unless they are larger than [`RETAINED_SLOTS`] or
    /// the pool is full.
    fn give(&self, buffers: BatchBuffers) {
        if buffers.slots.capacity().max(buffers.spare.capacity()) > RETAINED_SLOTS {
            return;
        }
        static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        let limit =
            *LIMIT.get_or_init(|| std::thread::available_parallelism().map_or(4, |n| n.get()));
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < limit {
            pool.push(buffers);
        }
    }
}

impl BufferPool {
    /// How many sets of buffers the pool holds.
    pub(crate) fn kept(&self) -> usize {
        self.0.lock().map_or(0, |p| p.len())
    }
}

impl std::fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferPool")
            .field("kept", &self.kept())
            .finish()
    }
}

thread_local! {
    /// The key buffer and locality hash memo of [`Index::address_grade`], reused by every
    /// query on the thread: one thread-local look a query, where `encode_body` would add
    /// its own memo's.
    static KEY_BUFFER: RefCell<(Vec<u8>, LocalityHasher)> =
        RefCell::new((Vec::new(), LocalityHasher::new()));
}

/// How far an address key body's walk got, starting at its locality's state.
fn reach<'n>(nodes: &'n Nodes<'_>, body: &[u8], m: Marks) -> Reach<'n> {
    let Some(chome) = nodes
        .locality(locality_of(body))
        .and_then(|n| nodes.walk(n, &body[LOCALITY_LEN..m.chome]))
    else {
        return Reach::default();
    };
    let banchi = nodes.walk(chome, &body[m.chome..m.banchi]);
    let block = banchi.and_then(|n| nodes.walk(n, &body[m.banchi..m.block]));
    Reach {
        chome: Some(chome),
        banchi: banchi.is_some(),
        block: block.is_some(),
        // Whole address keys are prefix-free (each part is), so the unit's path alone
        // says that the key is there: its last state need not be read to ask whether it
        // is final.
        unit: block.is_some_and(|n| nodes.has_path(n, &body[m.block..])),
    }
}

/// The grade without records, from how far the address's key reached in the automaton:
/// `None` when it needs key ranges (a `near_banchi` wider than [`NEAR_WALKS`]).
///
/// Every state of the minimal automaton leads to a key, and the block and unit encodings
/// are prefix-free, so: reaching the block state without the unit being a key means
/// another unit of the block (caution); reaching the 番's state without the block's means
/// another block of the same 番 (warning).
fn quick_grade(
    nodes: &Nodes<'_>,
    r: &Reach<'_>,
    banchi: Option<u32>,
    unit_only: bool,
    opts: &CheckOptions,
) -> Option<Grade> {
    let Some(chome) = r.chome else {
        return Some(Grade::None);
    };
    if r.unit {
        return Some(Grade::Danger);
    }
    if unit_only {
        return Some(Grade::None);
    }
    if r.block {
        return Some(Grade::Caution);
    }
    let Some(b) = banchi else {
        return Some(Grade::None);
    };
    let (lo, hi) = (
        b.saturating_sub(opts.near_banchi),
        b.saturating_add(opts.near_banchi),
    );
    if hi - lo > NEAR_WALKS {
        return None;
    }
    if r.banchi {
        return Some(Grade::Warning);
    }
    let mut buf = [0u8; 16];
    for n in (lo..=hi).filter(|n| *n != b) {
        let enc = banchi_bytes(n, &mut buf);
        if nodes.has_path(chome, enc) {
            return Some(Grade::Warning);
        }
    }
    Some(Grade::None)
}

/// The encoding of a present 番 ([`put_banchi`]) in a stack buffer.
fn banchi_bytes(n: u32, buf: &mut [u8; 16]) -> &[u8] {
    if n < 240 {
        // The one-byte case of the varint of `n + 1`, without a heap buffer.
        buf[0] = n as u8 + 1;
        return &buf[..1];
    }
    let mut v = Vec::new();
    put_banchi(&mut v, n);
    let len = v.len().min(buf.len());
    buf[..len].copy_from_slice(&v[..len]);
    &buf[..len]
}

/// Sorts a batch's slots by key: one counting pass on the top bits of the locality hash,
/// which are evenly spread, then a sort of each small bucket. Linear, where a comparison
/// sort was a sixth of `grade_batch`. Keys that tie up to their padding (one a prefix of
/// the other, followed by zeros) may come in either order, which only costs the pass a
/// shorter shared prefix, never a wrong answer.
fn sort_slots(b: &mut BatchBuffers) {
    let v = &mut b.slots;
    if v.len() < 64 {
        v.sort_unstable_by_key(Slot::order);
        return;
    }
    // About two keys per bucket.
    let bits = (usize::BITS - v.len().leading_zeros() - 1).clamp(4, 20);
    let shift = 64 - bits;
    let bucket = |s: &Slot| (s.locality() >> shift) as usize;
    let starts = &mut b.starts;
    starts.clear();
    starts.resize((1 << bits) + 1, 0);
    for s in v.iter() {
        starts[bucket(s) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let next = &mut b.next;
    next.clear();
    next.extend_from_slice(starts);
    // Every place is written below; the copy only gives the buffer its length.
    let out = &mut b.spare;
    out.clear();
    out.extend_from_slice(v);
    for s in v.iter() {
        let b = bucket(s);
        out[next[b] as usize] = *s;
        next[b] += 1;
    }
    for w in starts.windows(2) {
        let bucket = &mut out[w[0] as usize..w[1] as usize];
        if bucket.len() > 1 {
            bucket.sort_unstable_by_key(Slot::order);
        }
    }
    std::mem::swap(v, out);
}

/// Fills `b.slots` with the slots of a batch's addresses in key order, and returns the
/// places of the addresses whose keys are too long for a slot. Addresses without a
/// locality get neither: no key.
fn batch_slots(addresses: &[Address], b: &mut BatchBuffers) -> Vec<usize> {
    let slots = &mut b.slots;
    slots.clear();
    slots.reserve(addresses.len());
    let mut long: Vec<usize> = Vec::new();
    let mut scratch: Vec<u8> = Vec::with_capacity(64);
    let mut localities = LocalityHasher::new();
    for (i, a) in addresses.iter().enumerate() {
        scratch.clear();
        let Some(marks) = encode_body_with(a, |a| localities.hash(a), &mut scratch) else {
            continue;
        };
        match Slot::new(&scratch, marks, i as u32, a) {
            Some(slot) => slots.push(slot),
            None => long.push(i),
        }
    }
    sort_slots(b);
    long
}

/// What every run of [`Index::merged_pass`] shares.
struct Pass<'p, 'n> {
    index: &'p Index,
    all: &'p [Nodes<'n>],
    /// Whether each step asks for the state it reads next and yields to the other runs.
    ask_ahead: bool,
    addresses: &'p [Address],
    opts: &'p CheckOptions,
}

impl<'p, 'n> Pass<'p, 'n> {
    /// The automaton of `shard` (the last one for a shard past the end, which only a
    /// damaged file's boundaries could give).
    fn nodes(&self, shard: usize) -> &'p Nodes<'n> {
        &self.all[shard.min(self.all.len() - 1)]
    }
}

/// One run of a batch's sorted slots, walked a state at a time. Each key starts where it
/// leaves the previous key's path (the shared locality, 丁目 and 番), so a run touches the
/// automaton's pages in order; several runs in turn overlap their cache misses.
struct Walk<'s, 'p> {
    slots: &'s [Slot],
    /// The next slot to start.
    next: usize,
    /// The slot being walked.
    current: Option<&'s Slot>,
    /// `path[d]` is the state after the first `LOCALITY_LEN + d` bytes of the current key
    /// (of the previous key, between keys); empty when its locality holds no keys.
    path: Vec<Node<'p>>,
    /// The address of a state asked for and not read yet: the next entry of `path`.
    pending: Option<usize>,
    /// The automaton of the current locality: sorted keys meet each one once, so it only
    /// steps forward.
    shard: usize,
    prev_locality: Option<u64>,
}

impl<'s, 'p> Walk<'s, 'p> {
    fn new(slots: &'s [Slot]) -> Self {
        Walk {
            slots,
            next: 0,
            current: None,
            path: Vec::with_capacity(SLOT_KEY),
            pending: None,
            shard: 0,
            prev_locality: None,
        }
    }

    /// Walks until a state must be read that was only just asked for (true: call again
    /// after the other runs' steps) or the run is graded (false). Without asking ahead,
    /// walks the whole run.
    fn advance(&mut self, pass: &Pass<'p, '_>, out: &mut [Grade]) -> bool {
        loop {
            let Some(slot) = self.current else {
                let Some(slot) = self.slots.get(self.next) else {
                    return false;
                };
                self.next += 1;
                if self.start(slot, pass) {
                    self.current = Some(slot);
                    if self.pending.is_some() {
                        return true;
                    }
                }
                continue;
            };
            let nodes = pass.nodes(self.shard);
            if let Some(addr) = self.pending.take() {
                self.path.push(nodes.node(addr));
            }
            let key = slot.key();
            // The key byte after the last state reached (the path is never empty here).
            let at = LOCALITY_LEN + self.path.len().saturating_sub(1);
            if let (Some(&b), Some(n)) = (key.get(at), self.path.last()) {
                if let Some(i) = n.find_input(b) {
                    let addr = n.transition_addr(i);
                    if pass.ask_ahead {
                        nodes.prefetch_state(addr);
                        self.pending = Some(addr);
                        return true;
                    }
                    self.path.push(nodes.node(addr));
                    continue;
                }
            }
            // The walk ended: at the key's end or where no key continues.
            self.finish(slot, pass, out);
            self.current = None;
        }
    }

    /// Sets the path up for `slot`: keeps the states it shares with the previous key, or
    /// finds its locality's state (asked for, when asking ahead). False when no key has
    /// its locality, so that its grade stays none.
    fn start(&mut self, slot: &Slot, pass: &Pass<'p, '_>) -> bool {
        let key = slot.key();
        let locality = slot.locality();
        if self.prev_locality == Some(locality) {
            // `next` has moved past `slot`, so the previous key is the one before it.
            let prev = &self.slots[self.next.saturating_sub(2)];
            let shared = key[LOCALITY_LEN..]
                .iter()
                .zip(&prev.key[LOCALITY_LEN..])
                .take(self.path.len().saturating_sub(1))
                .take_while(|(a, b)| a == b)
                .count();
            self.path.truncate(shared + 1);
            return !self.path.is_empty();
        }
        self.prev_locality = Some(locality);
        self.path.clear();
        self.shard = pass.index.shard_from(self.shard, &key[..LOCALITY_LEN]);
        let nodes = pass.nodes(self.shard);
        match nodes.locality_state(locality) {
            Some(LocalityState::At(addr)) if pass.ask_ahead => {
                nodes.prefetch_state(addr);
                self.pending = Some(addr);
                true
            }
            Some(LocalityState::At(addr)) => {
                self.path.push(nodes.node(addr));
                true
            }
            Some(LocalityState::Walked(n)) => {
                self.path.push(n);
                true
            }
            None => false,
        }
    }

    /// Grades `slot` from how far its walk reached.
    fn finish(&self, slot: &Slot, pass: &Pass<'p, '_>, out: &mut [Grade]) {
        let nodes = pass.nodes(self.shard);
        let key = slot.key();
        let m = slot.marks();
        let unit_only = slot.forwarding_id()
            && pass
                .index
                .is_forwarder_block(&key[..m.chome], &key[m.chome..m.block]);
        let depth = |mark: usize| mark - LOCALITY_LEN;
        let reach = Reach {
            chome: self.path.get(depth(m.chome)).copied(),
            banchi: self.path.len() > depth(m.banchi),
            block: self.path.len() > depth(m.block),
            unit: self.path.len() == depth(key.len()) + 1
                && self.path.last().is_some_and(|n| n.is_final()),
        };
        let index = slot.index as usize;
        out[index] = match quick_grade(nodes, &reach, slot.banchi(), unit_only, pass.opts) {
            Some(g) => g,
            None => pass.index.address_grade(&pass.addresses[index], pass.opts),
        };
    }
}

/// A matched record id with the grade of the key it came through.
struct Hit {
    grade: Grade,
    value: u64,
}

impl Index {
    /// Grades an address against past fraud and forwarding services, with default options.
    ///
    /// ```
    /// use mikiwame::address::Address;
    /// use mikiwame::index::{FraudRecord, Grade, Index, IndexBuilder};
    ///
    /// let at = |banchi, go| Address {
    ///     prefecture: Some("大阪府".into()), city: Some("大阪市北区".into()), town: Some("梅田".into()),
    ///     chome: Some(3), banchi: Some(banchi), go: Some(go), ..Default::default()
    /// };
    /// let mut b = IndexBuilder::new();
    /// b.add_fraud(&FraudRecord { address: Some(at(4, 5)), ..Default::default() });
    /// let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
    /// assert_eq!(index.check(&at(4, 5)).address_match.level, Grade::Danger);
    /// assert_eq!(index.check(&at(4, 6)).address_match.level, Grade::Warning);
    /// assert_eq!(index.check(&at(5, 1)).address_match.level, Grade::Warning);
    /// assert_eq!(index.check(&at(6, 1)).address_match.level, Grade::None);
    /// ```
    pub fn check(&self, address: &Address) -> AddressCheck {
        self.check_with(address, &CheckOptions::default())
    }

    /// Grades an address with the given options.
    ///
    /// Address grades: `danger` for the same unit (block plus floor and room, or forwarding
    /// customer ID; a detached house without either matches as a whole), `caution` for the
    /// same block, `warning` for the same town and 丁目 with the same 番 and another 号 or a
    /// 番 within [`CheckOptions::near_banchi`]. An address with a forwarding customer ID at a
    /// known forwarder's block is graded by its ID only: the forwarder's other customers
    /// are other people.
    pub fn check_with(&self, address: &Address, opts: &CheckOptions) -> AddressCheck {
        self.check_keyed(address, AddressKeys::new(address), opts)
    }

    fn check_keyed(
        &self,
        address: &Address,
        keys: Option<AddressKeys>,
        opts: &CheckOptions,
    ) -> AddressCheck {
        let forwarding = self.forwarding(address, keys.as_ref(), opts);
        let address_match = match &keys {
            Some(k) => {
                let unit_only =
                    forwarding.level == ForwardingLevel::Service && address.forwarding_id.is_some();
                self.grade(k, unit_only, opts, true)
            }
            None => AddressMatch::default(),
        };
        AddressCheck {
            address_match,
            forwarding,
        }
    }

    /// The address grade alone, without the records behind it or the forwarding answer:
    /// what a scorer needs, at the lowest cost. Equal to
    /// `check_with(address, opts).address_match.level`.
    ///
    /// ```
    /// use mikiwame::address::Address;
    /// use mikiwame::index::{CheckOptions, FraudRecord, Grade, Index, IndexBuilder};
    ///
    /// let a = Address {
    ///     prefecture: Some("東京都".into()), city: Some("渋谷区".into()), town: Some("道玄坂".into()),
    ///     chome: Some(2), banchi: Some(15), go: Some(1), ..Default::default()
    /// };
    /// let mut b = IndexBuilder::new();
    /// b.add_fraud(&FraudRecord { address: Some(a.clone()), ..Default::default() });
    /// let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
    /// assert_eq!(index.address_grade(&a, &CheckOptions::default()), Grade::Danger);
    /// ```
    pub fn address_grade(&self, address: &Address, opts: &CheckOptions) -> Grade {
        if opts.max_age_days.is_none() {
            // The key is encoded into a per-thread buffer: no allocation per query.
            let quick = KEY_BUFFER.with(|cell| {
                let mut held = cell.try_borrow_mut().ok()?;
                let (buf, memo) = &mut *held;
                buf.clear();
                let Some(m) = encode_body_with(address, |a| memo.hash(a), buf) else {
                    return Some(Grade::None);
                };
                let shard = self.shard(Kind::Address as u8, buf.get(..LOCALITY_LEN)?);
                let nodes = self.nodes(shard)?;
                let reach = reach(&nodes, buf, m);
                let unit_only = address.forwarding_id.is_some()
                    && self.is_forwarder_block(&buf[..m.chome], &buf[m.chome..m.block]);
                quick_grade(&nodes, &reach, address.banchi, unit_only, opts)
            });
            if let Some(g) = quick {
                return g;
            }
        }
        let Some(k) = AddressKeys::new(address) else {
            return Grade::None;
        };
        let unit_only = address.forwarding_id.is_some()
            && self.is_forwarder_block(k.chome_part(), k.block_part());
        self.grade(&k, unit_only, opts, opts.max_age_days.is_some())
            .level
    }

    /// The grades of many addresses, in input order: equal to calling
    /// [`Index::address_grade`] on each, and faster on large batches (about twice as fast per
    /// address at 1M and 10M records in `benches/`).
    ///
    /// Each key is encoded into a fixed-size slot with what grading needs of its address,
    /// the slots are sorted in index order (a linear sort on the locality hash's bits), then
    /// the batch is merged with the automaton: each locality's walk starts at its state from
    /// the locality table, and each key's where it leaves the previous key's path (the
    /// shared 丁目 and 番), touching the index's pages in order. On automata larger than the
    /// cache, four runs of the sorted batch are walked in turn, each step asking for the
    /// state it reads next, so that their cache misses overlap. Keys too long
    /// for a slot (long forwarding IDs or room names) are graded one by one. Single-threaded;
    /// callers with many cores split the batch, and may call it from several threads at
    /// once.
    ///
    /// The index keeps the call's buffers (32 bytes per address, twice) for the next call,
    /// one set per call running at the same time: fresh buffers of a few megabytes cost a
    /// page fault per 4 KiB on first write. Buffers of batches over 262,144 addresses are
    /// freed instead; all are freed with the index.
    ///
    /// ```
    /// use mikiwame::address::Address;
    /// use mikiwame::index::{CheckOptions, FraudRecord, Grade, Index, IndexBuilder};
    ///
    /// let at = |banchi, go| Address {
    ///     prefecture: Some("大阪府".into()), city: Some("大阪市北区".into()), town: Some("梅田".into()),
    ///     chome: Some(3), banchi: Some(banchi), go: Some(go), ..Default::default()
    /// };
    /// let mut b = IndexBuilder::new();
    /// b.add_fraud(&FraudRecord { address: Some(at(4, 5)), ..Default::default() });
    /// let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
    /// let grades = index.grade_batch(&[at(6, 1), at(4, 5), at(4, 6)], &CheckOptions::default());
    /// assert_eq!(grades, [Grade::None, Grade::Danger, Grade::Warning]);
    /// ```
    pub fn grade_batch(&self, addresses: &[Address], opts: &CheckOptions) -> Vec<Grade> {
        self.grade_batch_in_runs(addresses, opts, None)
    }

    /// [`Index::grade_batch`] walking `runs` interleaved runs (`None`: as many as the
    /// automata's size calls for), so that tests can make small indexes take the path of
    /// large ones.
    pub(crate) fn grade_batch_in_runs(
        &self,
        addresses: &[Address],
        opts: &CheckOptions,
        runs: Option<usize>,
    ) -> Vec<Grade> {
        let mut out = vec![Grade::None; addresses.len()];
        let all = self.all_nodes();
        let (Some(all), None) = (&all, opts.max_age_days) else {
            // The age options need every matched record's date: no shortcut to share.
            for (a, g) in addresses.iter().zip(&mut out) {
                *g = self.address_grade(a, opts);
            }
            return out;
        };
        if addresses.len() > u32::MAX as usize {
            // Entry numbers are packed into 32 bits below: split giant batches.
            return addresses
                .chunks(u32::MAX as usize)
                .flat_map(|c| self.grade_batch_in_runs(c, opts, runs))
                .collect();
        }
        let mut buffers = self.batch_buffers.take();
        let long = batch_slots(addresses, &mut buffers);
        // The rare keys too long for a slot (long forwarding IDs or room names) one by one.
        for i in long {
            out[i] = self.address_grade(&addresses[i], opts);
        }
        let large = all.iter().map(Nodes::size).sum::<usize>() >= INTERLEAVE_FROM_BYTES;
        let runs = runs.unwrap_or(if large { INTERLEAVED_RUNS } else { 1 });
        self.merged_pass(all, &buffers.slots, runs, addresses, opts, &mut out);
        self.batch_buffers.give(buffers);
        out
    }

    /// Grades a batch's sorted slots into `out` (by each slot's index) in one pass over the
    /// automata `all`. The slots are cut into `runs` consecutive runs walked in turn, a
    /// state at a time, each state asked for before the other runs' steps (see [`Walk`]);
    /// one run walks straight through without asking ahead.
    fn merged_pass(
        &self,
        all: &[Nodes<'_>],
        slots: &[Slot],
        runs: usize,
        addresses: &[Address],
        opts: &CheckOptions,
        out: &mut [Grade],
    ) {
        let pass = Pass {
            index: self,
            all,
            ask_ahead: runs > 1,
            addresses,
            opts,
        };
        let per_run = slots.len().div_ceil(runs.max(1)).max(1);
        let mut walks: Vec<Walk<'_, '_>> = slots.chunks(per_run).map(Walk::new).collect();
        while !walks.is_empty() {
            let mut i = 0;
            while i < walks.len() {
                if walks[i].advance(&pass, out) {
                    i += 1;
                } else {
                    walks.swap_remove(i);
                }
            }
        }
    }

    /// True when the block (its town + 丁目 part and the rest) is a known forwarder's.
    fn is_forwarder_block(&self, chome_part: &[u8], block_part: &[u8]) -> bool {
        !self.forwarders.is_empty()
            && self
                .walk_key(Kind::ForwarderBlock as u8, chome_part)
                .and_then(|c| self.walk(c, block_part))
                .is_some_and(|c| c.value().is_some())
    }

    /// Checks many addresses, in input order. Queries run in key order, which keeps the
    /// index's pages hot (the faster the more addresses share towns).
    pub fn check_batch(&self, addresses: &[Address], opts: &CheckOptions) -> Vec<AddressCheck> {
        let mut order: Vec<(Option<AddressKeys>, usize)> = addresses
            .iter()
            .enumerate()
            .map(|(i, a)| (AddressKeys::new(a), i))
            .collect();
        order.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut out = vec![AddressCheck::default(); addresses.len()];
        for (keys, i) in order {
            out[i] = self.check_keyed(&addresses[i], keys, opts);
        }
        out
    }

    /// The address grade; `records` false skips decoding the records (the level is then the
    /// strongest key's grade, which is right whenever no age option needs the dates).
    fn grade(
        &self,
        k: &AddressKeys,
        unit_only: bool,
        opts: &CheckOptions,
        records: bool,
    ) -> AddressMatch {
        // Every grade needs the same town and 丁目: one walk settles most misses.
        let Some(chome) = self.walk_key(Kind::Address as u8, k.chome_part()) else {
            return AddressMatch::default();
        };
        let block_node = self.walk(chome, k.block_part());
        let danger = block_node
            .and_then(|b| self.walk(b, k.unit_part()))
            .and_then(|u| u.value());
        // Which 番 around this one hold keys: a short walk each, no allocation but one buffer.
        let mut near = Vec::new();
        let mut wide = false;
        if let (false, Some(b)) = (unit_only, k.banchi) {
            let (lo, hi) = (
                b.saturating_sub(opts.near_banchi),
                b.saturating_add(opts.near_banchi),
            );
            if hi - lo <= NEAR_WALKS {
                let mut buf = Vec::with_capacity(8);
                for n in lo..=hi {
                    buf.clear();
                    put_banchi(&mut buf, n);
                    if self.walk(chome, &buf).is_some() {
                        near.push(n);
                    }
                }
            } else {
                wide = true;
            }
        }
        if danger.is_none() && block_node.is_none() && near.is_empty() && !wide {
            return AddressMatch::default();
        }
        // Something is there: collect the values below the states found.
        let mut hits = Vec::new();
        if let Some(v) = danger {
            hits.push(Hit {
                grade: Grade::Danger,
                value: v,
            });
        }
        // Without records, the first key of the strongest grade settles the answer.
        if unit_only || (!records && danger.is_some()) {
            return self.finish_grade(hits, opts, records);
        }
        let limit = if records { KEYS_PER_RANGE } else { 1 };
        let mut values = Vec::new();
        let mut push = |values: &mut Vec<u64>, grade| {
            hits.extend(values.drain(..).map(|value| Hit { grade, value }));
        };
        if let Some(block) = block_node {
            // Every unit of the block but this one.
            self.values_below(block, k.unit_part(), limit, &mut values);
            if !records && !values.is_empty() {
                return self.finish_grade(
                    vec![Hit {
                        grade: Grade::Caution,
                        value: 0,
                    }],
                    opts,
                    false,
                );
            }
            push(&mut values, Grade::Caution);
        }
        if let Some(b) = k.banchi {
            let mut buf = Vec::with_capacity(8);
            for &n in &near {
                buf.clear();
                put_banchi(&mut buf, n);
                let Some(at) = self.walk(chome, &buf) else {
                    continue;
                };
                // At the address's own 番, every block but its own.
                let skip = if n == b { k.block_after_banchi() } else { &[] };
                if !records && skip.is_empty() {
                    // Another 番 holds keys: that is all a grade needs.
                    return self.finish_grade(
                        vec![Hit {
                            grade: Grade::Warning,
                            value: 0,
                        }],
                        opts,
                        false,
                    );
                }
                self.values_below(at, skip, limit, &mut values);
                push(&mut values, Grade::Warning);
            }
            if wide {
                let unit_key = k.unit(Kind::Address);
                let block = k.block(Kind::Address);
                let block_end = prefix_end(&block).unwrap_or_default();
                let d = opts.near_banchi;
                let (lo, _) = k.banchi_range(Kind::Address, b.saturating_sub(d), b);
                let (same, next) = k.banchi_range(Kind::Address, b, b);
                let (_, hi) = k.banchi_range(Kind::Address, b, b.saturating_add(d));
                // Below, the same 番 outside this block, above: never the block itself.
                for (lo, hi) in [
                    (&lo, &same),
                    (&same, &block),
                    (&block_end, &next),
                    (&next, &hi),
                ] {
                    self.scan(lo, hi, KEYS_PER_RANGE, |key, value| {
                        if key != unit_key.as_slice() {
                            values.push(value);
                        }
                    });
                }
                push(&mut values, Grade::Warning);
            }
        }
        self.finish_grade(hits, opts, records)
    }

    fn finish_grade(&self, hits: Vec<Hit>, opts: &CheckOptions, records: bool) -> AddressMatch {
        if records {
            return self.grade_hits(hits, opts);
        }
        let level = hits.iter().map(|h| h.grade).max().unwrap_or_default();
        AddressMatch {
            level,
            stars: level.stars(),
            records: Vec::new(),
        }
    }

    /// Turns hits into the answer: decodes records, applies the age options, orders
    /// strongest first.
    fn grade_hits(&self, hits: Vec<Hit>, opts: &CheckOptions) -> AddressMatch {
        if hits.is_empty() {
            return AddressMatch::default();
        }
        let cutoff = opts.max_age_days.map(|age| {
            // An age past i32's days (a review passed u32::MAX) reaches before any
            // record: nothing is old. The subtraction wrapped and made everything old.
            let age = i32::try_from(age).unwrap_or(i32::MAX);
            opts.today.unwrap_or_else(date::today).saturating_sub(age)
        });
        let mut found: Vec<(Grade, u32, MatchedRecord)> = Vec::new();
        let mut ids = Vec::new();
        for hit in hits {
            ids.clear();
            self.ids(hit.value, &mut ids);
            for &id in &ids {
                let Some(r) = self.record(id) else { continue };
                let old = matches!((cutoff, r.recorded_day), (Some(c), Some(d)) if d < c);
                let grade = match (old, opts.old_records) {
                    (false, _) => hit.grade,
                    (true, OldRecords::Ignore) => continue,
                    (true, OldRecords::DownWeight) => weaker(hit.grade),
                };
                if grade == Grade::None {
                    continue;
                }
                found.push((
                    grade,
                    id,
                    MatchedRecord {
                        recorded_at: r.recorded_at,
                        source: r.source,
                        note: r.note,
                        grade,
                        old,
                    },
                ));
            }
        }
        // Strongest first; one record once, at its strongest grade.
        found.sort_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        found.dedup_by_key(|f| f.1);
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let level = found.first().map_or(Grade::None, |f| f.0);
        found.truncate(opts.max_records);
        AddressMatch {
            level,
            stars: level.stars(),
            records: found.into_iter().map(|f| f.2).collect(),
        }
    }

    fn forwarding(
        &self,
        a: &Address,
        keys: Option<&AddressKeys>,
        opts: &CheckOptions,
    ) -> Forwarding {
        let mut level = ForwardingLevel::None;
        let mut service = None;
        let mut signs: Vec<String> = Vec::new();
        let mut sign =
            |l: ForwardingLevel, s: &str, name: Option<&str>, level: &mut ForwardingLevel| {
                if l > *level {
                    *level = l;
                }
                if !signs.iter().any(|x| x == s) {
                    signs.push(s.to_string());
                }
                if service.is_none() {
                    service = name.map(str::to_string);
                }
            };
        let name = |v: u64| -> Option<String> {
            let mut ids = Vec::new();
            self.ids(v, &mut ids);
            ids.first()
                .and_then(|id| self.forwarders.get(*id as usize))
                .map(|f| f.name.clone())
        };
        if let Some(k) = keys.filter(|_| !self.forwarders.is_empty()) {
            if self.has_prefix(&k.chome(Kind::ForwarderBlock)) {
                if let Some(v) = self.get(&k.block(Kind::ForwarderBlock)) {
                    sign(
                        ForwardingLevel::Service,
                        "forwarder_block",
                        name(v).as_deref(),
                        &mut level,
                    );
                } else if let Some(b) = k.banchi {
                    let d = opts.near_banchi;
                    let (lo, hi) = k.banchi_range(
                        Kind::ForwarderBlock,
                        b.saturating_sub(d),
                        b.saturating_add(d),
                    );
                    let mut first = None;
                    self.scan(&lo, &hi, 1, |_, v| first = Some(v));
                    if let Some(v) = first {
                        sign(
                            ForwardingLevel::Possible,
                            "forwarder_neighbour",
                            name(v).as_deref(),
                            &mut level,
                        );
                    }
                }
            }
        }
        if let Some(bk) = a
            .building
            .as_ref()
            .filter(|_| self.has_buildings && self.has_forwarder_building_in(a))
            .and_then(|_| building_key(a))
        {
            if let Some(v) = self.get(&bk) {
                sign(
                    ForwardingLevel::Possible,
                    "forwarder_building",
                    name(v).as_deref(),
                    &mut level,
                );
            }
        }
        let folded = fold(&a.input);
        if !self.forwarders.is_empty() {
            let p = self.patterns();
            // The forwarding ID only when there is one: an empty text matches no pattern.
            let in_id = || a.forwarding_id.as_deref().and_then(|id| p.find(&fold(id)));
            if let Some(i) = p.find(&folded).or_else(in_id) {
                let n = self.forwarders.get(i as usize).map(|f| f.name.as_str());
                sign(ForwardingLevel::Possible, "customer_code", n, &mut level);
            }
        }
        if a.forwarding_id.is_some() || (a.is_complete() && has_generic_code(&folded)) {
            sign(ForwardingLevel::Possible, "customer_code", None, &mut level);
        }
        if has_forwarding_word(&folded) {
            sign(
                ForwardingLevel::Possible,
                "forwarding_words",
                None,
                &mut level,
            );
        }
        Forwarding {
            level,
            service,
            signs,
        }
    }

    /// True when some forwarder's building lies in the address's locality: one short walk,
    /// so that the building name is folded into its key (NFKC) only where one could match.
    fn has_forwarder_building_in(&self, a: &Address) -> bool {
        let mut prefix = [0u8; 1 + LOCALITY_LEN];
        prefix[0] = Kind::ForwarderBuilding as u8;
        prefix[1..].copy_from_slice(&a.locality_hash().to_be_bytes());
        self.has_prefix(&prefix)
    }

    /// The fraud records under the key `kind` + `canonical` (already in canonical form;
    /// `None`: no records): one walk down the automaton, without building the key, and
    /// records are decoded only when the key is there.
    pub(super) fn known(&self, kind: Kind, canonical: Option<&str>) -> Vec<MatchedRecord> {
        canonical
            .and_then(|c| self.walk_key(kind as u8, c.as_bytes()))
            .and_then(|c| c.value())
            .map(|v| self.matched(v))
            .unwrap_or_default()
    }

    /// The fraud records with this email (compared in canonical form:
    /// [`normalize_email`]); empty when none.
    pub fn known_email(&self, email: &str) -> Vec<MatchedRecord> {
        self.known(Kind::Email, normalize_email(email).as_deref())
    }

    /// The fraud records with this phone number (compared in E.164: [`normalize_phone`]);
    /// empty when none.
    pub fn known_phone(&self, phone: &str) -> Vec<MatchedRecord> {
        self.known(Kind::Phone, normalize_phone(phone).as_deref())
    }

    /// The fraud records with this card fingerprint (case-insensitive); empty when none.
    pub fn known_card(&self, fingerprint: &str) -> Vec<MatchedRecord> {
        self.known(Kind::Card, canonical_card(fingerprint).as_deref())
    }
}

/// One grade weaker.
fn weaker(g: Grade) -> Grade {
    match g {
        Grade::Danger => Grade::Caution,
        Grade::Caution => Grade::Warning,
        Grade::Warning | Grade::None => Grade::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn slot_sort_equals_a_comparison_sort(
            batches in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        prop::collection::vec(any::<u8>(), LOCALITY_LEN..=SLOT_KEY),
                        // Crowded buckets: equal top bits of the locality hash.
                        (0u8..4, prop::collection::vec(any::<u8>(), LOCALITY_LEN..=SLOT_KEY))
                            .prop_map(|(top, mut k)| { k[0] = top; k[1] = 0; k }),
                    ],
                    0..3000,
                ),
                1..4,
            ),
        ) {
            // Later batches reuse the buffers of earlier, larger or smaller ones, as a
            // pooled set is reused: nothing of an earlier batch may leak into a later one.
            let mut buffers = BatchBuffers::default();
            for keys in &batches {
                let marks = Marks { chome: LOCALITY_LEN, banchi: LOCALITY_LEN, block: LOCALITY_LEN };
                buffers.slots.clear();
                buffers.slots.extend(
                    keys.iter()
                        .enumerate()
                        .map(|(i, k)| Slot::new(k, marks, i as u32, &Address::default()).unwrap()),
                );
                sort_slots(&mut buffers);
                let v = &buffers.slots;
                let got: Vec<[u8; SLOT_KEY]> = v.iter().map(|s| s.key).collect();
                let mut want: Vec<[u8; SLOT_KEY]> = got.clone();
                want.sort_unstable();
                prop_assert_eq!(&got, &want);
                // A permutation of the batch: every slot once.
                let mut seen: Vec<u32> = v.iter().map(|s| s.index).collect();
                seen.sort_unstable();
                prop_assert_eq!(seen, (0..keys.len() as u32).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn merged_pass_grades_alike_in_any_number_of_runs() {
        use crate::index::{FraudRecord, IndexBuilder};
        let at = |town: usize, banchi: u32, go: u32, room: Option<u32>| Address {
            prefecture: Some("東京都".into()),
            city: Some("世田谷区".into()),
            town: Some(format!("町{town}")),
            chome: Some(1 + town as u32 % 3),
            banchi: Some(banchi),
            go: Some(go),
            room: room.map(|r| r.to_string()),
            ..Default::default()
        };
        let mut b = IndexBuilder::new();
        b.shards(3);
        for t in 0..300 {
            for i in 0..4 {
                let address = Some(at(t, 1 + i * 3, 1 + i, Some(101 + i)));
                b.add_fraud(&FraudRecord {
                    address,
                    ..Default::default()
                });
            }
        }
        let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
        // Every grade, in localities with and without keys (towns 300 and up).
        let queries: Vec<Address> = (0..2000)
            .map(|q| {
                let i = (q % 5) as u32;
                at(
                    q * 7 % 340,
                    1 + i * 3 + q as u32 % 2,
                    1 + i,
                    Some(101 + q as u32 % 6),
                )
            })
            .collect();
        let opts = CheckOptions::default();
        let all = index.all_nodes().unwrap();
        let mut buffers = BatchBuffers::default();
        let long = batch_slots(&queries, &mut buffers);
        assert!(long.is_empty());
        let slots = buffers.slots;
        let one: Vec<Grade> = queries
            .iter()
            .map(|a| index.address_grade(a, &opts))
            .collect();
        // One run straight through; interleaved runs, down to more runs than slots.
        for runs in [1, 2, 3, 8, 5000] {
            let mut out = vec![Grade::None; queries.len()];
            index.merged_pass(&all, &slots, runs, &queries, &opts, &mut out);
            assert_eq!(out, one, "{runs} runs");
        }
        for g in [Grade::Danger, Grade::Caution, Grade::Warning, Grade::None] {
            assert!(one.contains(&g), "{g:?} never graded");
        }
    }

    #[test]
    fn banchi_bytes_equal_put_banchi() {
        let mut buf = [0u8; 16];
        for n in (0..3000).chain([67_822, 67_823, u32::MAX - 1, u32::MAX]) {
            let mut want = Vec::new();
            put_banchi(&mut want, n);
            assert_eq!(banchi_bytes(n, &mut buf), want.as_slice(), "{n}");
        }
    }
}
