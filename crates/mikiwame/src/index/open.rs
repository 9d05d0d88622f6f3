//! An opened index: the bytes, the fst over them, and the small tables.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use fst::raw::Output;
use fst::{IntoStreamer, Streamer};

use crate::error::{Error, Result};

use super::contacts::ContactFilter;
use super::format;
use super::forwarding::ForwarderPatterns;
use super::grade::MatchedRecord;
use super::keys::{locality_of, Kind, LOCALITY_LEN};
use super::localities::{LocalityTable, Shape};
use super::mmap;
use super::prefetch::prefetch;
use super::query::BufferPool;
use super::shards::{self, LocalityRoute};
use super::table::{BuildInfo, ForwarderEntry, RecordEntry};

type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// A state of the automaton reached by [`Index::walk`].
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    node: fst::raw::Node<'a>,
    out: Output,
    /// The automaton the state belongs to.
    shard: usize,
}

impl Cursor<'_> {
    /// The value of the key that ends here, if one does.
    #[inline]
    pub(crate) fn value(&self) -> Option<u64> {
        self.node
            .is_final()
            .then(|| self.out.cat(self.node.final_output()).value())
    }
}

/// A borrowed view of the key automaton for walks that need states but no values: the
/// bytes are looked up once per view, not once per state as through [`Index::walk`]'s
/// shared mapping, and no outputs are summed.
pub(crate) struct Nodes<'a> {
    fst: fst::raw::Fst<&'a [u8]>,
    localities: Option<LocalityTable<'a>>,
}

/// A state of the automaton, as [`Nodes`] walks it.
pub(crate) type Node<'a> = fst::raw::Node<'a>;

/// A locality's state as [`Nodes::locality_state`] finds it.
pub(crate) enum LocalityState<'a> {
    /// At this address of the automaton, not read yet (files with a locality table).
    At(usize),
    /// Read on the walk from the root that found it (files without a table).
    Walked(Node<'a>),
}

impl Nodes<'_> {
    /// The root state.
    #[inline]
    pub(crate) fn root(&self) -> Node<'_> {
        self.fst.root()
    }

    /// The state after byte `b` from `n`, if a key continues so.
    #[inline]
    pub(crate) fn step<'n>(&'n self, n: &Node<'n>, b: u8) -> Option<Node<'n>> {
        let i = n.find_input(b)?;
        Some(self.fst.node(n.transition_addr(i)))
    }

    /// The state after `bytes` from `n`, if a key continues so.
    #[inline]
    pub(crate) fn walk<'n>(&'n self, mut n: Node<'n>, bytes: &[u8]) -> Option<Node<'n>> {
        // A plain loop: folding through `Option<Node>` copied the large state at every byte.
        for &b in bytes {
            let i = n.find_input(b)?;
            n = self.fst.node(n.transition_addr(i));
        }
        Some(n)
    }

    /// The state after the address kind byte and the locality `hash` (the first 9 bytes of
    /// every address key of the locality), or `None` when no address key has it: one look
    /// in the locality table when the file has one, else a walk from the root.
    #[inline]
    pub(crate) fn locality(&self, hash: u64) -> Option<Node<'_>> {
        Some(match self.locality_state(hash)? {
            LocalityState::At(addr) => self.node(addr),
            LocalityState::Walked(n) => n,
        })
    }

    /// Where the locality `hash`'s state is ([`Nodes::locality`] without reading the state
    /// when the table gives its address, so that a batch can ask for it ahead).
    #[inline]
    pub(crate) fn locality_state(&self, hash: u64) -> Option<LocalityState<'_>> {
        match &self.localities {
            Some(table) => {
                let (addr, _) = table.find(hash)?;
                // A damaged table (only in files that fail `verify`) must not point past
                // the keys.
                (addr < self.fst.as_bytes().len()).then_some(LocalityState::At(addr))
            }
            None => {
                let root = self.step(&self.root(), Kind::Address as u8)?;
                self.walk(root, &hash.to_be_bytes())
                    .map(LocalityState::Walked)
            }
        }
    }

    /// The state at `addr`: a locality table's address or a transition's target.
    #[inline]
    pub(crate) fn node(&self, addr: usize) -> Node<'_> {
        self.fst.node(addr)
    }

    /// The automaton's size in bytes.
    pub(crate) fn size(&self) -> usize {
        self.fst.as_bytes().len()
    }

    /// Starts loading the state at `addr`, for a read a little later. A state's bytes run
    /// downwards from its address (the fst crate writes a state's transitions below its
    /// first byte): a 丁目's or 番's state with dozens of transitions spans four cache
    /// lines, and asking for all four measured 6% faster on a 10M-record index than for
    /// two.
    #[inline]
    pub(crate) fn prefetch_state(&self, addr: usize) {
        let bytes = self.fst.as_bytes();
        for below in [0, 48, 112, 176] {
            prefetch(bytes, addr.saturating_sub(below));
        }
    }

    /// True when some key continues from `n` with `bytes`. The last state is not decoded:
    /// an edge is enough, since every state of the minimal automaton leads to a key.
    #[inline]
    pub(crate) fn has_path(&self, n: Node<'_>, bytes: &[u8]) -> bool {
        let Some((last, init)) = bytes.split_last() else {
            return true;
        };
        self.walk(n, init)
            .is_some_and(|n| n.find_input(*last).is_some())
    }
}

/// One automaton of the key section. Parsed on first use: parsing reads the automaton's
/// first and last bytes, and at open that was two page faults per automaton (open time
/// 15 -> 50 us at 8 automata), where the directory alone is one.
struct Shard {
    range: Range<usize>,
    map: OnceLock<Option<fst::Map<Section>>>,
}

/// One section of the shared bytes, so the fst can own a view of the mapping.
#[derive(Clone)]
pub(crate) struct Section {
    data: Bytes,
    range: Range<usize>,
}

impl AsRef<[u8]> for Section {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        // `parse` checked every range against the length of these same bytes.
        (*self.data)
            .as_ref()
            .get(self.range.clone())
            .unwrap_or_default()
    }
}

/// The fraud and forwarding index, opened from a file or from bytes.
///
/// Immutable, `Send + Sync`, cheap to query from many threads at once. Opening costs the
/// same for any size of index: only the header and the small tables are read; records are
/// decoded when a query matches them. [`Index::verify`] checks every byte against the
/// file's checksum (linear in the size); [`Index::open`] runs it, [`Index::open_unverified`]
/// does not.
///
/// ```
/// use mikiwame::address::Address;
/// use mikiwame::index::{FraudRecord, Grade, Index, IndexBuilder};
///
/// let place = Address {
///     prefecture: Some("東京都".into()), city: Some("世田谷区".into()), town: Some("池尻".into()),
///     chome: Some(1), banchi: Some(2), go: Some(3), room: Some("101".into()),
///     ..Default::default()
/// };
/// let mut builder = IndexBuilder::new();
/// builder.add_fraud(&FraudRecord { address: Some(place.clone()), ..Default::default() });
/// let index = Index::new(builder.finish_to_vec().unwrap()).unwrap();
/// index.verify().unwrap();
/// assert_eq!(index.check(&place).address_match.level, Grade::Danger);
/// ```
pub struct Index {
    data: Bytes,
    /// The automata of consecutive key ranges ([`super::shards`]), parsed on first use.
    shards: Vec<Shard>,
    /// The keys that start every automaton's range but the first.
    boundaries: Vec<Vec<u8>>,
    /// The same as integers for locality keys, when their shape allows ([`LocalityRoute`]).
    route: Option<LocalityRoute>,
    pub(crate) info: BuildInfo,
    pub(crate) forwarders: Vec<ForwarderEntry>,
    records: Range<usize>,
    pub(crate) record_count: u32,
    postings: Range<usize>,
    localities: Range<usize>,
    locality_shape: Option<Shape>,
    patterns: OnceLock<ForwarderPatterns>,
    /// The filter of contact keys that scoring's lookups go through ([`super::contacts`]).
    pub(crate) contacts: ContactFilter,
    /// Whether any forwarder has a building key (saves folding building names otherwise).
    pub(crate) has_buildings: bool,
    /// Buffers that [`Index::grade_batch`] calls reuse.
    pub(crate) batch_buffers: BufferPool,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("bytes", &self.bytes().len())
            .field("keys", &self.key_count())
            .field("automata", &self.shard_count())
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Index {
    /// Opens an index from its bytes (a `Vec<u8>`, a memory map, ...).
    ///
    /// Refuses foreign files ([`Error::NotAnIndex`]), other format versions
    /// ([`Error::Version`]), truncated files ([`Error::IndexTruncated`]) and files whose
    /// header or tables are damaged ([`Error::IndexCorrupted`]). Damage inside the keys or
    /// records is found by [`Index::verify`]: run it before querying bytes that may be
    /// damaged (the `fst` crate does not promise to traverse a damaged automaton without
    /// panicking). [`Index::open`] does.
    pub fn new(data: impl AsRef<[u8]> + Send + Sync + 'static) -> Result<Index> {
        let data: Bytes = Arc::new(data);
        let sections = format::parse((*data).as_ref())?;
        let keys = (*data)
            .as_ref()
            .get(sections.fst.clone())
            .unwrap_or_default();
        let layout = shards::parse(keys)?;
        let shards = layout
            .automata
            .iter()
            .map(|r| Shard {
                range: sections.fst.start + r.start..sections.fst.start + r.end,
                map: OnceLock::new(),
            })
            .collect();
        let has_buildings = sections
            .info
            .keys
            .get("forwarder_building")
            .is_none_or(|n| *n > 0);
        Ok(Index {
            contacts: ContactFilter::new(&sections.info),
            has_buildings,
            data,
            shards,
            route: LocalityRoute::new(&layout.boundaries),
            boundaries: layout.boundaries,
            info: sections.info,
            forwarders: sections.forwarders,
            records: sections.records,
            record_count: sections.record_count,
            postings: sections.postings,
            localities: sections.localities,
            locality_shape: sections.locality_shape,
            patterns: OnceLock::new(),
            batch_buffers: BufferPool::default(),
        })
    }

    /// Maps the file at `path` and checks it completely ([`Index::new`], then
    /// [`Index::verify`]).
    ///
    /// The file must not be modified in place while it is open (the index builder never
    /// does: it writes a new file and renames it).
    pub fn open(path: impl AsRef<Path>) -> Result<Index> {
        let index = Index::open_unverified(path)?;
        index.verify()?;
        Ok(index)
    }

    /// Maps the file at `path` and checks its header and tables, but not the checksum of its
    /// body: opening takes the same few microseconds for any size. For a file that was
    /// verified once, e.g. by `mikiwame index info`.
    pub fn open_unverified(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        Index::new(mmap::map(path)?)
    }

    /// Reads the file at `path` into memory backed by transparent huge pages where the
    /// system offers them, and checks it completely (as [`Index::open`]).
    ///
    /// For a long-running process that queries a large index at random: with the index in
    /// 2 MiB pages instead of the page cache's 4 KiB ones, a walk down the automaton stops
    /// paying a TLB miss at most states (see `benches/README.md`). The cost is the file's
    /// size in private memory per process and a read of the whole file at start (about as
    /// long as the checksum that [`Index::open`] computes anyway); processes that share
    /// one index, or open it for a few queries, should map it with [`Index::open`].
    ///
    /// ```
    /// use mikiwame::index::{FraudRecord, Index, IndexBuilder};
    ///
    /// let mut b = IndexBuilder::new();
    /// b.add_fraud(&FraudRecord { email: Some("fraud@example.jp".into()), ..Default::default() });
    /// let dir = std::env::temp_dir().join(format!("mikiwame-load-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// b.finish(dir.join("fraud.mkw")).unwrap();
    /// let index = Index::load(dir.join("fraud.mkw")).unwrap();
    /// assert_eq!(index.known_email("fraud@example.jp").len(), 1);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Index> {
        let index = Index::new(mmap::read_huge(path.as_ref())?)?;
        index.verify()?;
        Ok(index)
    }

    /// Checks every byte of the index against its checksum, then the key section's own
    /// checksum.
    pub fn verify(&self) -> Result<()> {
        format::verify(self.bytes())?;
        for map in self.maps()? {
            map.as_fst().verify().map_err(|e| Error::IndexCorrupted {
                what: format!("key section: {e}"),
            })?;
        }
        Ok(())
    }

    /// The build metadata: format version, build time, source files, counts per kind.
    pub fn info(&self) -> &BuildInfo {
        &self.info
    }

    /// The total number of keys.
    pub fn key_count(&self) -> usize {
        (0..self.shards.len())
            .filter_map(|i| self.map(i))
            .map(|m| m.len())
            .sum()
    }

    /// The size of the index in bytes.
    pub fn size(&self) -> usize {
        self.bytes().len()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }

    fn section(&self, r: &Range<usize>) -> &[u8] {
        self.bytes().get(r.clone()).unwrap_or_default()
    }

    /// Appends the ids an fst value names.
    pub(crate) fn ids(&self, value: u64, out: &mut Vec<u32>) {
        format::ids(self.section(&self.postings), value, out);
    }

    /// Decodes record `id`.
    pub(crate) fn record(&self, id: u32) -> Option<RecordEntry> {
        format::record(self.section(&self.records), id)
    }

    /// The compiled customer-code patterns of the forwarders, compiled on first use so that
    /// opening stays cheap.
    pub(crate) fn patterns(&self) -> &ForwarderPatterns {
        self.patterns
            .get_or_init(|| ForwarderPatterns::new(&self.forwarders))
    }

    /// The number of automata.
    pub(crate) fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Automaton `shard`, parsed on first use; `None` when there is no such automaton or
    /// its bytes do not parse (only in files that fail [`Index::verify`]).
    #[inline]
    pub(crate) fn map(&self, shard: usize) -> Option<&fst::Map<Section>> {
        let s = self.shards.get(shard)?;
        s.map
            .get_or_init(|| {
                fst::Map::new(Section {
                    data: Arc::clone(&self.data),
                    range: s.range.clone(),
                })
                .ok()
            })
            .as_ref()
    }

    /// Every automaton, in key order; an error names the first that does not parse.
    pub(crate) fn maps(&self) -> Result<Vec<&fst::Map<Section>>> {
        (0..self.shards.len())
            .map(|i| {
                self.map(i).ok_or_else(|| Error::IndexCorrupted {
                    what: format!("key section: automaton {i} does not parse"),
                })
            })
            .collect()
    }

    /// The automaton holding the key, or the keys below the prefix, `kind` + `rest`; a
    /// prefix of a key that starts with a locality must hold the locality's hash.
    #[inline]
    pub(crate) fn shard(&self, kind: u8, rest: &[u8]) -> usize {
        match (&self.route, rest.get(..LOCALITY_LEN)) {
            (Some(route), Some(hash)) if shards::is_locality_kind(kind) => {
                route.shard(kind, locality_of(hash))
            }
            _ => shards::shard_of(&self.boundaries, kind, rest),
        }
    }

    /// The shard of the address locality `hash` (its key bytes), for localities met in
    /// ascending order: `from` is the shard of an earlier one.
    #[inline]
    pub(crate) fn shard_from(&self, from: usize, hash: &[u8]) -> usize {
        shards::shard_from(&self.boundaries, from, Kind::Address as u8, hash)
    }

    fn shard_of_key(&self, key: &[u8]) -> usize {
        key.split_first()
            .map_or(0, |(kind, rest)| self.shard(*kind, rest))
    }

    /// The value of an exact key.
    #[inline]
    pub(crate) fn get(&self, key: &[u8]) -> Option<u64> {
        self.map(self.shard_of_key(key))?.get(key)
    }

    /// True when some key starts with `prefix` (which, for a kind keyed by locality, holds
    /// the locality's hash): a walk down the automaton, no allocation. (Every state of a
    /// minimal automaton leads to a final state, so reaching the prefix's state is enough.)
    #[inline]
    pub(crate) fn has_prefix(&self, prefix: &[u8]) -> bool {
        prefix
            .split_first()
            .and_then(|(kind, rest)| self.walk_key(*kind, rest))
            .is_some()
    }

    /// Follows the kind byte and `rest` down the automaton that holds them (`rest` holds
    /// the locality's hash for a kind keyed by locality): the state reached and the output
    /// summed on the way, or `None` when no key continues so. Address keys start at their
    /// locality's state from the locality table, with the output stored there, instead of
    /// walking the kind byte and the 8 hash bytes.
    #[inline]
    pub(crate) fn walk_key(&self, kind: u8, rest: &[u8]) -> Option<Cursor<'_>> {
        let shard = self.shard(kind, rest);
        let fst = self.map(shard)?.as_fst();
        if let (true, Some(table), Some(hash)) = (
            kind == Kind::Address as u8,
            self.locality_table(),
            rest.get(..LOCALITY_LEN),
        ) {
            let (addr, out) = table.find(locality_of(hash))?;
            // A damaged table (only in files that fail `verify`) must not point past the
            // keys.
            if addr >= fst.as_bytes().len() {
                return None;
            }
            let start = Cursor {
                node: fst.node(addr),
                out: Output::new(out),
                shard,
            };
            return self.walk(start, &rest[LOCALITY_LEN..]);
        }
        let start = Cursor {
            node: fst.root(),
            out: Output::zero(),
            shard,
        };
        let c = self.walk(start, &[kind])?;
        self.walk(c, rest)
    }

    /// Follows `bytes` down the automaton from `from`: the state reached and the output
    /// summed on the way, or `None` when no key continues so. No allocation; the building
    /// block of the queries' prefix tests.
    #[inline]
    pub(crate) fn walk<'a>(&'a self, from: Cursor<'a>, bytes: &[u8]) -> Option<Cursor<'a>> {
        let fst = self.map(from.shard)?.as_fst();
        let mut c = from;
        for &b in bytes {
            let t = c.node.transition(c.node.find_input(b)?);
            c.out = c.out.cat(t.out);
            c.node = fst.node(t.addr);
        }
        Some(c)
    }

    /// A view of automaton `shard` for walks without values ([`Nodes`]). `None` only if
    /// there is no such automaton or it does not parse (only in files that fail [`Index::verify`]).
    #[inline]
    pub(crate) fn nodes(&self, shard: usize) -> Option<Nodes<'_>> {
        // Straight from the bytes, read once: not through the shard's lazily parsed map,
        // whose every read of its bytes is a dynamic call (about a quarter of this function's
        // cost, which a single address grade pays once).
        let bytes = self.bytes();
        let localities = self.locality_table_in(bytes);
        let automaton = bytes.get(self.shards.get(shard)?.range.clone())?;
        fst::raw::Fst::new(automaton)
            .ok()
            .map(|fst| Nodes { fst, localities })
    }

    /// The locality table, when the file has one (`None` for an empty section).
    #[inline]
    fn locality_table(&self) -> Option<LocalityTable<'_>> {
        self.locality_table_in(self.bytes())
    }

    /// [`Index::locality_table`] within the index's `bytes`, for callers that hold them.
    #[inline]
    fn locality_table_in<'a>(&self, bytes: &'a [u8]) -> Option<LocalityTable<'a>> {
        let section = bytes.get(self.localities.clone()).unwrap_or_default();
        self.locality_shape
            .map(|shape| LocalityTable::new(section, shape))
    }

    /// The views of every automaton, in key order ([`Index::nodes`]).
    pub(crate) fn all_nodes(&self) -> Option<Vec<Nodes<'_>>> {
        (0..self.shards.len()).map(|s| self.nodes(s)).collect()
    }

    /// Appends the values of keys below `start` (at most `limit` of them, depth first),
    /// leaving out every key below the path `skip` from `start` (an empty `skip` leaves
    /// out nothing). No keys are built: the values are all the queries need.
    pub(crate) fn values_below(
        &self,
        start: Cursor<'_>,
        skip: &[u8],
        limit: usize,
        out: &mut Vec<u64>,
    ) {
        let Some(map) = self.map(start.shard) else {
            return;
        };
        let fst = map.as_fst();
        let mut found = 0;
        // (state, output so far, bytes of `skip` matched, still on the `skip` path)
        let mut stack = vec![(start.node, start.out, 0usize, !skip.is_empty())];
        while let Some((node, o, depth, on_path)) = stack.pop() {
            if on_path && depth == skip.len() {
                continue;
            }
            if node.is_final() {
                out.push(o.cat(node.final_output()).value());
                found += 1;
                if found >= limit {
                    return;
                }
            }
            for t in node.transitions() {
                let on = on_path && skip.get(depth) == Some(&t.inp);
                stack.push((fst.node(t.addr), o.cat(t.out), depth + 1, on));
            }
        }
    }

    /// Calls `f` with each key and value in `[lo, hi)`, at most `limit` of them.
    pub(crate) fn scan(&self, lo: &[u8], hi: &[u8], limit: usize, mut f: impl FnMut(&[u8], u64)) {
        if lo >= hi {
            return;
        }
        // Every range a query reads lies below one locality: in the automaton of `lo`.
        let Some(map) = self.map(self.shard_of_key(lo)) else {
            return;
        };
        let mut stream = map.range().ge(lo).lt(hi).into_stream();
        let mut n = 0;
        while let Some((k, v)) = stream.next() {
            f(k, v);
            n += 1;
            if n >= limit {
                break;
            }
        }
    }

    /// The records behind an fst value, as output.
    pub(crate) fn matched(&self, value: u64) -> Vec<MatchedRecord> {
        let mut ids = Vec::new();
        self.ids(value, &mut ids);
        ids.into_iter()
            .filter_map(|id| self.record(id))
            .map(|r| MatchedRecord {
                recorded_at: r.recorded_at,
                source: r.source,
                note: r.note,
                ..Default::default()
            })
            .collect()
    }
}
