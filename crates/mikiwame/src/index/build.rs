//! Building an index: keys collected in sorted runs, then one streamed union of the runs (and
//! of a base index) into the final fst.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use fst::map::OpBuilder;
use fst::{MapBuilder, Streamer};
use rayon::prelude::*;

use crate::address::Address;
use crate::error::{Error, Result};

use super::date;
use super::format::{self, Contents, FORMAT_VERSION};
use super::keys::{building_key, encode_body, locality_of, AddressKeys, Kind, LOCALITY_LEN};
use super::localities;
use super::mmap;
use super::open::Index;
use super::pending::PendingKeys;
use super::shards;
use super::table::{BuildInfo, ForwarderEntry, RecordEntry, SourceFile};

/// A fraud record ready for the index: a parsed address and canonical contact keys.
///
/// [`read_fraud`](super::read_fraud) makes these from CSV or JSONL rows (normalizing the
/// address, email and phone); callers with parsed data can fill one in directly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FraudRecord {
    /// The parsed shipping address.
    pub address: Option<Address>,
    /// The email in canonical form ([`crate::contact::normalize_email`]).
    pub email: Option<String>,
    /// The phone number in E.164 ([`crate::contact::normalize_phone`]).
    pub phone: Option<String>,
    /// A card fingerprint (compared case-insensitively).
    pub card_fingerprint: Option<String>,
    /// When the fraud was recorded (ISO 8601 date or time preferred: its date is used for
    /// the age options of [`CheckOptions`](super::CheckOptions)).
    pub recorded_at: Option<String>,
    /// Where the record came from.
    pub source: Option<String>,
    /// A free-text note.
    pub note: Option<String>,
}

/// A forwarding service ready for the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forwarder {
    /// The service's name.
    pub name: String,
    /// Its parsed address (the block, building and neighbourhood are keyed).
    pub address: Address,
    /// A regex matching its customer codes (checked with [`regex`] syntax by the reader).
    pub code_pattern: Option<String>,
}

/// Appends the keys of a fraud record, pointing to `id`; returns how many.
fn push_fraud_keys(r: &FraudRecord, id: u32, out: &mut PendingKeys) -> usize {
    let before = out.len();
    if let Some(a) = &r.address {
        out.push_with(id, |b| {
            b.push(Kind::Address as u8);
            encode_body(a, b).is_some()
        });
    }
    let mut text = |kind: Kind, s: &str| {
        out.push_with(id, |b| {
            b.push(kind as u8);
            b.extend_from_slice(s.as_bytes());
            true
        })
    };
    if let Some(e) = r.email.as_deref().filter(|s| !s.is_empty()) {
        text(Kind::Email, e);
    }
    if let Some(p) = r.phone.as_deref().filter(|s| !s.is_empty()) {
        text(Kind::Phone, p);
    }
    if let Some(c) = r
        .card_fingerprint
        .as_deref()
        .and_then(super::keys::canonical_card)
    {
        text(Kind::Card, &c);
    }
    out.len() - before
}

/// A hash of a record description (its three texts): FNV-1a over each text behind a
/// presence byte and before a `0xFF` (a byte UTF-8 never holds), so `(Some("ab"), None)`
/// and `(Some("a"), Some("b"))` differ. Only finds candidates: equal descriptions are
/// compared in full.
fn description_hash(at: Option<&str>, source: Option<&str>, note: Option<&str>) -> u64 {
    let mut h = crate::fnv::Fnv1a::new();
    for part in [at, source, note] {
        match part {
            None => h.byte(0),
            Some(s) => {
                h.byte(1);
                h.bytes(s.as_bytes());
                h.byte(0xFF);
            }
        }
    }
    h.finish()
}

/// A hasher for keys that are hashes already ([`description_hash`]): hashing them again
/// with SipHash cost a tenth of a second per ten million records on the build's one
/// sequential stretch.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; other input still spreads, if slowly.
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).rotate_left(5);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Records per parallel key-encoding task of [`IndexBuilder::extend_fraud`], and records
/// per window of tasks (bounds the encoded keys held twice at once).
const CHUNK: usize = 1 << 13;
const WINDOW: usize = 1 << 20;

/// One sorted run of keys, built in memory.
struct Run {
    map: fst::Map<Vec<u8>>,
    postings: Vec<u8>,
}

fn corrupt(e: fst::Error) -> Error {
    Error::IndexCorrupted {
        what: format!("while building keys: {e}"),
    }
}

/// What the build learns from the keys as they stream into the automaton, in key order.
struct KeyStats {
    /// Keys per kind, in the order of [`Kind::ALL`]: an array, not the name map of
    /// [`BuildInfo`], since looking names up for every key was 5% of the 1M build's samples.
    counts: [u64; Kind::ALL.len()],
    /// The distinct locality hashes of the address keys, ascending.
    localities: Vec<u64>,
}

impl KeyStats {
    fn new() -> Self {
        KeyStats {
            counts: [0; Kind::ALL.len()],
            localities: Vec::new(),
        }
    }

    /// Counts `key`, the next key in key order.
    #[inline]
    fn see(&mut self, key: &[u8]) {
        let Some(&first) = key.first() else { return };
        if first == Kind::Address as u8 {
            self.counts[0] += 1;
            if key.len() > LOCALITY_LEN {
                let h = locality_of(&key[1..]);
                if self.localities.last() != Some(&h) {
                    self.localities.push(h);
                }
            }
        } else if let Some(i) = Kind::ALL.iter().position(|k| *k as u8 == first) {
            self.counts[i] += 1;
        }
    }

    /// Adds the statistics of the keys that follow these.
    fn add(&mut self, later: &KeyStats) {
        for (c, n) in self.counts.iter_mut().zip(later.counts) {
            *c += n;
        }
        self.localities.extend_from_slice(&later.localities);
    }

    /// The counts by kind name, as the build metadata holds them.
    fn by_name(&self) -> BTreeMap<String, u64> {
        Kind::ALL
            .iter()
            .zip(self.counts)
            .map(|(k, n)| (k.as_str().to_string(), n))
            .collect()
    }
}

// Every kind but the first is counted by its position in `Kind::ALL`.
const _: () = assert!(Kind::ALL[0] as u8 == Kind::Address as u8);

/// The index's small sections that come out of building the keys.
struct Tables {
    postings: Vec<u8>,
    localities: Vec<u8>,
}

/// The locality table's entries of a finished automaton whose address keys have the
/// localities `hashes` (ascending, distinct): each hash with the state after it and the
/// output summed on the way.
fn locality_entries(fst_bytes: &[u8], hashes: &[u64]) -> Result<Vec<localities::Entry>> {
    let fst = fst::raw::Fst::new(fst_bytes).map_err(corrupt)?;
    let step = |n: fst::raw::Node<'_>, b: u8| {
        n.find_input(b)
            .map(|i| n.transition(i))
            .ok_or_else(|| Error::IndexCorrupted {
                what: "while building keys: a locality has no state".into(),
            })
    };
    let mut entries = Vec::with_capacity(hashes.len());
    if !hashes.is_empty() {
        let first = step(fst.root(), Kind::Address as u8)?;
        let root = fst.node(first.addr);
        for &h in hashes {
            let (mut n, mut out) = (root, first.out);
            for b in h.to_be_bytes() {
                let t = step(n, b)?;
                n = fst.node(t.addr);
                out = out.cat(t.out);
            }
            entries.push(localities::Entry {
                hash: h,
                addr: n.addr(),
                out: out.value(),
            });
        }
    }
    Ok(entries)
}

/// One key range built into an automaton.
struct BuiltRange {
    fst: Vec<u8>,
    /// Its id lists, to be placed where the range's first pass said.
    postings: Vec<u8>,
    stats: KeyStats,
    /// Its part of the locality table.
    localities: Vec<localities::Entry>,
}

/// Keys built into automata in memory, with what the file needs besides them.
struct InMemory {
    /// The automata of consecutive key ranges.
    automata: Vec<Vec<u8>>,
    /// The keys that start every range but the first.
    boundaries: Vec<Vec<u8>>,
    postings: Vec<u8>,
    stats: KeyStats,
    /// The locality table's entries, ascending.
    localities: Vec<localities::Entry>,
}

impl InMemory {
    fn directory(&self) -> Vec<u8> {
        let lens: Vec<u64> = self.automata.iter().map(|a| a.len() as u64).collect();
        shards::directory(&self.boundaries, &lens)
    }

    /// The key section's bytes, as a reader: the directory, then the automata.
    fn section(&self) -> impl Read + '_ {
        let parts: Vec<&[u8]> = self.automata.iter().map(Vec::as_slice).collect();
        std::io::Cursor::new(self.directory()).chain(Concat { parts })
    }

    fn section_len(&self) -> u64 {
        self.directory().len() as u64 + self.automata.iter().map(|a| a.len() as u64).sum::<u64>()
    }
}

/// Byte slices read one after another.
struct Concat<'a> {
    parts: Vec<&'a [u8]>,
}

impl Read for Concat<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(first) = self.parts.first_mut() {
            if first.is_empty() {
                self.parts.remove(0);
                continue;
            }
            return first.read(buf);
        }
        Ok(0)
    }
}

/// Automata per build when the builder is not told ([`IndexBuilder::shards`]): one per
/// 250,000 keys, at most 8. A function of the keys alone, so that one input gives the same
/// file on every machine; 8 shards keep 8 cores busy, and fewer keys are not worth it.
fn default_shards(keys: usize) -> usize {
    (keys / 250_000).clamp(1, 8)
}

/// Builds an index file.
///
/// Keys are collected in memory up to a limit, then sorted into an in-memory run; finishing
/// streams the union of all runs (and of the base index's keys, without loading them) into
/// the final file. Records with equal descriptions share one record-table entry; equal keys
/// merge their records.
///
/// ```
/// use mikiwame::index::{FraudRecord, Index, IndexBuilder};
///
/// let mut b = IndexBuilder::new();
/// b.add_fraud(&FraudRecord { email: Some("fraud@example.jp".into()), ..Default::default() });
/// let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
/// assert_eq!(index.known_email("Fraud@Example.JP").len(), 1);
/// ```
pub struct IndexBuilder {
    pending: PendingKeys,
    runs: Vec<Run>,
    records: Vec<RecordEntry>,
    /// Record-table ids by the hash of their description, so that a repeated description
    /// is found without building an entry.
    record_ids: HashMap<u64, Vec<u32>, BuildHasherDefault<Prehashed>>,
    forwarders: Vec<ForwarderEntry>,
    base: Option<Index>,
    sources: Vec<SourceFile>,
    accepted: u64,
    run_limit: usize,
    shards: Option<usize>,
}

impl Default for IndexBuilder {
    fn default() -> Self {
        IndexBuilder::new()
    }
}

/// Pending keys per in-memory run (about 60 bytes each, so about 1 GB at the limit). Up to
/// this many keys (and without a base) the keys go straight into the final map; beyond it,
/// sorted runs are merged, which builds the automaton twice.
const DEFAULT_RUN_LIMIT: usize = 16 << 20;

impl IndexBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        IndexBuilder {
            pending: PendingKeys::default(),
            runs: Vec::new(),
            records: Vec::new(),
            record_ids: HashMap::default(),
            forwarders: Vec::new(),
            base: None,
            sources: Vec::new(),
            accepted: 0,
            run_limit: DEFAULT_RUN_LIMIT,
            shards: None,
        }
    }

    /// A builder that adds to `base`: the new index holds the base's keys, records and
    /// forwarders plus what is added. The base's keys are streamed at [`finish`](Self::finish),
    /// never loaded; its record and forwarder tables are copied.
    pub fn with_base(base: Index) -> Self {
        let mut b = IndexBuilder::new();
        for id in 0..base.record_count {
            // A record that does not decode comes from a damaged file; `Index::open` verifies
            // checksums, so keep the id slot with an empty description rather than shift ids.
            let e = base.record(id).unwrap_or_default();
            let h = description_hash(
                e.recorded_at.as_deref(),
                e.source.as_deref(),
                e.note.as_deref(),
            );
            b.record_ids.entry(h).or_default().push(id);
            b.records.push(e);
        }
        b.forwarders = base.forwarders.clone();
        b.accepted = base.info.records;
        b.sources = base.info.sources.clone();
        b.base = Some(base);
        b
    }

    /// Sets how many keys are collected in memory before they are sorted into a run.
    pub fn run_limit(&mut self, keys: usize) -> &mut Self {
        self.run_limit = keys.max(1);
        self
    }

    /// Sets how many automata over consecutive key ranges are built, in parallel, when the
    /// keys fit one run (without a base); a union of runs or with a base builds one.
    /// Default: one per 250,000 keys, at most 8. Queries find their automaton from a key's
    /// first bytes, so the count changes the file's bytes, not its answers.
    ///
    /// ```
    /// use mikiwame::index::{FraudRecord, Index, IndexBuilder};
    ///
    /// let mut b = IndexBuilder::new();
    /// b.shards(4);
    /// for i in 0..100 {
    ///     b.add_fraud(&FraudRecord { email: Some(format!("f{i}@example.jp")), ..Default::default() });
    /// }
    /// let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
    /// assert_eq!(index.known_email("f42@example.jp").len(), 1);
    /// ```
    pub fn shards(&mut self, n: usize) -> &mut Self {
        self.shards = Some(n.clamp(1, shards::MAX_SHARDS));
        self
    }

    /// Records an input file in the build metadata.
    pub fn add_source(&mut self, source: SourceFile) {
        self.sources.push(source);
    }

    /// The record-table id of `r`'s description, whose [`description_hash`] is `h`.
    fn record_id(&mut self, r: &FraudRecord, h: u64) -> u32 {
        let (at, source, note) = (
            r.recorded_at.as_deref(),
            r.source.as_deref(),
            r.note.as_deref(),
        );
        let records = &self.records;
        let same = |id: &&u32| {
            let e = &records[**id as usize];
            e.recorded_at.as_deref() == at
                && e.source.as_deref() == source
                && e.note.as_deref() == note
        };
        if let Some(id) = self
            .record_ids
            .get(&h)
            .and_then(|ids| ids.iter().find(same))
        {
            return *id;
        }
        let id = self.records.len() as u32;
        self.records.push(RecordEntry {
            recorded_day: at.and_then(date::parse_day),
            recorded_at: r.recorded_at.clone(),
            source: r.source.clone(),
            note: r.note.clone(),
        });
        self.record_ids.entry(h).or_default().push(id);
        id
    }

    fn hash_of(r: &FraudRecord) -> u64 {
        description_hash(
            r.recorded_at.as_deref(),
            r.source.as_deref(),
            r.note.as_deref(),
        )
    }

    /// Adds a fraud record. Returns false (and adds nothing) when it has no usable key.
    pub fn add_fraud(&mut self, r: &FraudRecord) -> bool {
        let mut keys = PendingKeys::default();
        if push_fraud_keys(r, 0, &mut keys) == 0 {
            return false;
        }
        let id = self.record_id(r, Self::hash_of(r));
        self.accepted += 1;
        self.pending.append_mapped(&keys, &[Some(id)]);
        self.flush_if_full();
        true
    }

    /// Adds many fraud records, encoding their keys and hashing their descriptions in
    /// parallel. Returns how many were added (those with at least one usable key).
    pub fn extend_fraud(&mut self, records: &[FraudRecord]) -> usize {
        let mut added = 0;
        for window in records.chunks(WINDOW) {
            // Parallel: each task encodes its records' keys (pointing to their positions
            // in the task) into one buffer, and hashes the descriptions of those with keys.
            let encoded: Vec<(PendingKeys, Vec<Option<u64>>)> = window
                .par_chunks(CHUNK)
                .map(|chunk| {
                    let mut keys = PendingKeys::default();
                    let hashes = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            (push_fraud_keys(r, i as u32, &mut keys) > 0).then(|| Self::hash_of(r))
                        })
                        .collect();
                    (keys, hashes)
                })
                .collect();
            // In order: record ids (first come, first numbered), then the keys.
            let mut ids = Vec::with_capacity(CHUNK);
            for (chunk, (keys, hashes)) in window.chunks(CHUNK).zip(encoded) {
                ids.clear();
                for (r, h) in chunk.iter().zip(hashes) {
                    ids.push(h.map(|h| self.record_id(r, h)));
                }
                let n = ids.iter().flatten().count();
                added += n;
                self.accepted += n as u64;
                self.pending.append_mapped(&keys, &ids);
                self.flush_if_full();
            }
        }
        added
    }

    /// Adds a forwarding service. Returns false (and adds nothing) when its address has no
    /// locality.
    pub fn add_forwarder(&mut self, f: &Forwarder) -> bool {
        let Some(k) = AddressKeys::new(&f.address) else {
            return false;
        };
        let id = self.forwarders.len() as u32;
        self.forwarders.push(ForwarderEntry {
            name: f.name.clone(),
            address: f.address.input.clone(),
            code_pattern: f.code_pattern.clone(),
        });
        self.pending.push(&k.block(Kind::ForwarderBlock), id);
        if let Some(b) = building_key(&f.address) {
            self.pending.push(&b, id);
        }
        self.flush_if_full();
        true
    }

    fn flush_if_full(&mut self) {
        if self.pending.len() >= self.run_limit {
            self.flush();
        }
    }

    /// Sorts the pending keys into an in-memory run.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut builder = MapBuilder::memory();
        let mut postings = Vec::new();
        let inserted = self.pending.drain_groups(|key, ids| {
            let value = format::encode_ids(ids, &mut postings);
            builder.insert(key, value)
        });
        // Keys come sorted and distinct, so insertion cannot fail.
        debug_assert!(inserted.is_ok(), "unsorted run");
        if let Ok(bytes) = builder.into_inner() {
            if let Ok(map) = fst::Map::new(bytes) {
                self.runs.push(Run { map, postings });
            }
        }
    }

    /// Builds the pending keys (no base, no runs) into automata over consecutive key
    /// ranges, in parallel: first each range's postings length (so that each knows where
    /// its id lists start), then each range's automaton.
    fn build_shards(&mut self) -> Result<InMemory> {
        let sorted = self.pending.take_sorted();
        let shards = self.shards.unwrap_or_else(|| default_shards(sorted.len()));
        let parts = sorted.split(shards, shards::boundary_for);
        let sizes: Vec<usize> = parts
            .par_iter()
            .map(|(_, r)| sorted.postings_len(r.clone()))
            .collect();
        let starts: Vec<usize> = sizes
            .iter()
            .scan(0, |at, n| {
                let start = *at;
                *at += n;
                Some(start)
            })
            .collect();
        let built: Vec<Result<BuiltRange>> = parts
            .par_iter()
            .zip(starts.par_iter().zip(&sizes))
            .map(|((_, range), (start, size))| {
                let mut builder = MapBuilder::memory();
                let mut postings = Vec::with_capacity(*size);
                let mut stats = KeyStats::new();
                sorted
                    .groups(range.clone(), |key, ids| {
                        stats.see(key);
                        let value = format::encode_ids_at(ids, &mut postings, *start as u64);
                        builder.insert(key, value)
                    })
                    .map_err(corrupt)?;
                let fst = builder.into_inner().map_err(corrupt)?;
                let localities = locality_entries(&fst, &stats.localities)?;
                Ok(BuiltRange {
                    fst,
                    postings,
                    stats,
                    localities,
                })
            })
            .collect();
        let boundaries: Vec<Vec<u8>> = parts.into_iter().filter_map(|(b, _)| b).collect();
        let mut out = InMemory {
            automata: Vec::with_capacity(built.len()),
            boundaries,
            postings: Vec::with_capacity(sizes.iter().sum()),
            stats: KeyStats::new(),
            localities: Vec::new(),
        };
        for shard in built {
            let shard = shard?;
            out.localities.extend_from_slice(&shard.localities);
            out.postings.extend_from_slice(&shard.postings);
            out.stats.add(&shard.stats);
            out.automata.push(shard.fst);
        }
        Ok(out)
    }

    /// Streams the union of the base and the runs into one automaton written to `out`;
    /// returns the postings and what was learnt from the keys.
    fn union_into<W: Write>(&mut self, out: W) -> Result<(W, Vec<u8>, KeyStats)> {
        let mut stats = KeyStats::new();
        self.flush();
        let mut op = OpBuilder::new();
        let base = match &self.base {
            Some(b) => b.maps()?,
            None => Vec::new(),
        };
        let base_maps = base.len();
        for m in base {
            op = op.add(m.stream());
        }
        for run in &self.runs {
            op = op.add(run.map.stream());
        }
        let mut union = op.union();
        let mut builder = MapBuilder::new(out).map_err(corrupt)?;
        let mut postings = Vec::new();
        let mut ids = Vec::new();
        while let Some((key, values)) = union.next() {
            ids.clear();
            for iv in values {
                if iv.index < base_maps {
                    if let Some(base) = &self.base {
                        base.ids(iv.value, &mut ids);
                    }
                } else {
                    let run = &self.runs[iv.index - base_maps];
                    format::ids(&run.postings, iv.value, &mut ids);
                }
            }
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                continue;
            }
            let value = format::encode_ids(&ids, &mut postings);
            builder.insert(key, value).map_err(corrupt)?;
            stats.see(key);
        }
        let out = builder.into_inner().map_err(corrupt)?;
        Ok((out, postings, stats))
    }

    fn info(&self, keys: BTreeMap<String, u64>) -> BuildInfo {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        BuildInfo {
            format_version: FORMAT_VERSION,
            library_version: env!("CARGO_PKG_VERSION").to_string(),
            built_at: date::rfc3339(now),
            sources: self.sources.clone(),
            keys,
            records: self.accepted,
            record_entries: self.records.len() as u64,
            forwarders: self.forwarders.len() as u64,
        }
    }

    /// Builds the index into memory and returns its bytes (for tests and small indexes).
    pub fn finish_to_vec(mut self) -> Result<Vec<u8>> {
        let keys = self.keys_in_memory()?;
        let (tables, info) = self.tables(&keys);
        let mut out = std::io::Cursor::new(Vec::new());
        format::write_to(
            &mut out,
            &self.contents(&info, &tables),
            &mut keys.section(),
            keys.section_len(),
        )
        .map_err(|e| Error::io("<memory>", e))?;
        Ok(out.into_inner())
    }

    /// Every key built into automata in memory: in parallel shards when nothing needs a
    /// union, else the one streamed union.
    fn keys_in_memory(&mut self) -> Result<InMemory> {
        if self.base.is_none() && self.runs.is_empty() {
            return self.build_shards();
        }
        let (fst_bytes, postings, stats) = self.union_into(Vec::new())?;
        let localities = locality_entries(&fst_bytes, &stats.localities)?;
        Ok(InMemory {
            automata: vec![fst_bytes],
            boundaries: Vec::new(),
            postings,
            stats,
            localities,
        })
    }

    /// The small sections and the metadata of built keys.
    fn tables(&self, keys: &InMemory) -> (Tables, BuildInfo) {
        let tables = Tables {
            postings: keys.postings.clone(),
            localities: localities::encode(&keys.localities),
        };
        (tables, self.info(keys.stats.by_name()))
    }

    /// What the file holds besides the automaton.
    fn contents<'a>(&'a self, info: &'a BuildInfo, tables: &'a Tables) -> Contents<'a> {
        Contents {
            info,
            records: &self.records,
            forwarders: &self.forwarders,
            postings: &tables.postings,
            localities: &tables.localities,
        }
    }

    /// Builds the index into the file at `path`, atomically (temporary file, fsync, rename).
    /// `path` may be the base index's own file: the base stays mapped until the rename.
    pub fn finish(mut self, path: impl AsRef<Path>) -> Result<BuildInfo> {
        let path = path.as_ref();
        if self.base.is_none() && self.runs.is_empty() {
            // One run: the automata are built in memory (their size is a fraction of the
            // keys just sorted in memory) and written once, without a side file to copy from.
            let keys = self.build_shards()?;
            let (tables, info) = self.tables(&keys);
            let contents = self.contents(&info, &tables);
            format::write_file(path, &contents, &mut keys.section(), keys.section_len())?;
            return Ok(info);
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        // The key section is streamed to a side file first, since it goes last in the index
        // and its length is known only at the end.
        static BUILDS: AtomicU64 = AtomicU64::new(0);
        let side = dir.join(format!(
            ".mikiwame-keys.tmp-{}-{}",
            std::process::id(),
            BUILDS.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&side)
                .map_err(|e| Error::io(&side, e))?;
            let (w, postings, stats) = self.union_into(BufWriter::with_capacity(1 << 20, file))?;
            let mut file = w
                .into_inner()
                .map_err(|e| Error::io(&side, e.into_error()))?;
            // The table needs the finished automaton's state addresses: read them from the
            // side file, mapped (it is ours and written only above).
            let localities = locality_entries(mmap::map(&side)?.as_ref(), &stats.localities)?;
            let fst_len = file
                .seek(SeekFrom::End(0))
                .map_err(|e| Error::io(&side, e))?;
            // One automaton: the directory is its shard count alone.
            let directory = shards::directory(&[], &[]);
            file.seek(SeekFrom::Start(0))
                .map_err(|e| Error::io(&side, e))?;
            let info = self.info(stats.by_name());
            let tables = Tables {
                postings,
                localities: localities::encode(&localities),
            };
            let contents = self.contents(&info, &tables);
            let mut reader =
                (&directory[..]).chain(std::io::BufReader::with_capacity(1 << 20, file));
            format::write_file(
                path,
                &contents,
                &mut reader,
                directory.len() as u64 + fst_len,
            )?;
            Ok(info)
        })();
        let _ = fs::remove_file(&side);
        result
    }
}
