//! The engine: history (fraud index), shop settings and model, immutable once built and
//! shared by every thread; it turns orders into [`Assessment`]s.
//!
//! ```
//! use mikiwame::engine::Engine;
//! use mikiwame::order::Order;
//!
//! let engine = Engine::new();
//! let order = Order::from_json(r#"{"order_id": "A-1", "ordered_at": "2026-11-21T03:10:00+09:00",
//!     "buyer": {"name": "徳川家康", "address": "東京都千代田区千代田1-1"},
//!     "items": [{"category": "gift_card", "quantity": 5, "unit_price": 10000}]}"#).unwrap();
//! let a = engine.score_one(&order);
//! assert_eq!(a.reasons[0].code.as_str(), "celebrity_name");
//! assert!(a.alert);
//! let json = serde_json::to_string(&a).unwrap();
//! assert!(json.starts_with(r#"{"order_id":"A-1","score":"#));
//! ```

use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::Result;
use crate::history::{History, NoHistory};
use crate::index::{AddressMatch, Forwarding, ForwardingLevel, Grade};
use crate::order::{BadRow, Order, Row, RowError};
use crate::score::{Band, Model};
use crate::shop::Shop;
use crate::signals::{self, linking, DataQuality, Evaluated, Hit, ReasonCode};

/// One reason in an assessment: the code and the points it added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The reason code.
    pub code: ReasonCode,
    /// The points (log-odds) it added, rounded to two decimals.
    pub points: f64,
}

/// The columns of an assessment in flat form, as `mikiwame score --format csv` and
/// `score_frame` write them, before the error column(s) that each adds.
///
/// ```
/// use mikiwame::engine::ASSESSMENT_COLUMNS;
/// assert_eq!(ASSESSMENT_COLUMNS[..3], ["order_id", "score", "band"]);
/// assert_eq!(ASSESSMENT_COLUMNS.last(), Some(&"data_quality"));
/// ```
pub const ASSESSMENT_COLUMNS: [&str; 9] = [
    "order_id",
    "score",
    "band",
    "alert",
    "address_match",
    "stars",
    "forwarding",
    "reasons",
    "data_quality",
];

/// The assessment of one order (or the error of one unreadable row).
///
/// Serialized with the fields of DESIGN.md, in this order: `order_id`, `score`, `band`,
/// `alert`, `address_match` (`level`, `stars`), `forwarding` (`level`), `reasons`
/// (`code`, `points`, most points first), `data_quality`, `error` (null). An error row
/// serializes as `order_id` (null when unreadable) and `error` (`row`, `field`,
/// `message`) only.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Assessment {
    /// The order's ID; `None` only for a row whose ID could not be read.
    pub order_id: Option<String>,
    /// The probability of fraud in percent, 0..=100.
    pub score: u8,
    /// The score's band.
    pub band: Band,
    /// True when the shop should look at the order.
    pub alert: bool,
    /// How close the ship-to address comes to past fraud.
    pub address_match: AddressMatch,
    /// Whether the ship-to address is a forwarding service.
    pub forwarding: Forwarding,
    /// Why, most points first.
    pub reasons: Vec<Reason>,
    /// Data-quality warnings: when not empty, the score is unreliable.
    pub data_quality: Vec<DataQuality>,
    /// Set for a row that could not be read; every other field is then empty.
    pub error: Option<RowError>,
}

impl Serialize for Assessment {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if let Some(err) = &self.error {
            let mut st = s.serialize_struct("Assessment", 2)?;
            st.serialize_field("order_id", &self.order_id)?;
            st.serialize_field("error", err)?;
            return st.end();
        }
        let mut st = s.serialize_struct("Assessment", 9)?;
        st.serialize_field("order_id", &self.order_id)?;
        st.serialize_field("score", &self.score)?;
        st.serialize_field("band", &self.band)?;
        st.serialize_field("alert", &self.alert)?;
        st.serialize_field("address_match", &self.address_match)?;
        st.serialize_field("forwarding", &self.forwarding)?;
        st.serialize_field("reasons", &self.reasons)?;
        st.serialize_field("data_quality", &self.data_quality)?;
        st.serialize_field("error", &None::<RowError>)?;
        st.end()
    }
}

impl Assessment {
    /// The assessment of a row that could not be read.
    pub fn from_bad_row(bad: &BadRow) -> Assessment {
        Assessment {
            order_id: bad.order_id.clone(),
            error: Some(bad.error.clone()),
            ..Default::default()
        }
    }

    /// True when a reason with `code` is present.
    pub fn has(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }

    /// Appends the assessment as JSON to `out`: the same bytes as `serde_json::to_writer`
    /// (tested), written directly, since serializing is a large share of a batch job.
    ///
    /// ```
    /// use mikiwame::engine::Engine;
    /// use mikiwame::order::Order;
    ///
    /// let a = Engine::new().score_one(&Order::from_json(r#"{"order_id": "A-1"}"#).unwrap());
    /// let mut out = Vec::new();
    /// a.write_json(&mut out);
    /// assert_eq!(out, serde_json::to_vec(&a).unwrap());
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let plain = self.error.is_none()
            && self.address_match.records.is_empty()
            && self.forwarding.service.is_none()
            && self.forwarding.signs.is_empty();
        if !plain {
            // Rare shapes (error rows, matched records, forwarding details) go through
            // serde; writing to a vector cannot fail.
            let _ = serde_json::to_writer(&mut *out, self);
            return;
        }
        out.extend_from_slice(b"{\"order_id\":");
        match &self.order_id {
            Some(id) => write_json_str(out, id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"score\":");
        write_u8(out, self.score);
        out.extend_from_slice(b",\"band\":\"");
        out.extend_from_slice(self.band.as_str().as_bytes());
        out.extend_from_slice(b"\",\"alert\":");
        out.extend_from_slice(if self.alert { b"true" } else { b"false" });
        out.extend_from_slice(b",\"address_match\":{\"level\":\"");
        out.extend_from_slice(self.address_match.level.as_str().as_bytes());
        out.extend_from_slice(b"\",\"stars\":");
        write_u8(out, self.address_match.stars);
        out.extend_from_slice(b"},\"forwarding\":{\"level\":\"");
        out.extend_from_slice(self.forwarding.level.as_str().as_bytes());
        out.extend_from_slice(b"\"},\"reasons\":[");
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"code\":\"");
            out.extend_from_slice(r.code.as_str().as_bytes());
            out.extend_from_slice(b"\",\"points\":");
            let _ = serde_json::to_writer(&mut *out, &r.points);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"data_quality\":[");
        for (i, d) in self.data_quality.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(d.as_str().as_bytes());
            out.push(b'"');
        }
        out.extend_from_slice(b"],\"error\":null}");
    }
}

/// A JSON string: written as it is when nothing in it needs escaping, else by serde_json.
fn write_json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

fn write_u8(out: &mut Vec<u8>, n: u8) {
    if n >= 100 {
        out.push(b'0' + n / 100);
    }
    if n >= 10 {
        out.push(b'0' + n / 10 % 10);
    }
    out.push(b'0' + n % 10);
}

/// The thread pool of an engine, with the process it was created in: after `fork()` the
/// child has none of the parent's threads, so a pool from another process is never used.
type PoolSlot = Mutex<Option<(u32, Arc<rayon::ThreadPool>)>>;

/// Scores orders. Immutable after it is built, `Send + Sync`, shared by every thread.
///
/// No thread is started until the first parallel batch (never at library load), and a
/// process forked after that builds its own pool.
pub struct Engine {
    history: Box<dyn History>,
    shop: Shop,
    model: Model,
    threads: Option<usize>,
    pool: PoolSlot,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("shop", &self.shop)
            .field("model", &self.model.description)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

/// Rows on their way to assessments: the per-order half of scoring done, linking not yet.
///
/// For a stream whose linking window is larger than what should be parsed at once: parse
/// a part of the window, [`Engine::evaluate_rows`] it into the window's `Evaluations` and
/// drop the parsed orders; when the window is complete, [`Engine::assess`] links its
/// orders (with each other and the history) and gives one assessment per row, in order.
/// The result is the same as [`Engine::score_rows`] on the whole window at once, while
/// only a part's orders are ever in memory (an order's evaluation is a fraction of it).
///
/// ```
/// use mikiwame::engine::{Engine, Evaluations};
/// use mikiwame::order::parse_json_row;
///
/// let engine = Engine::new();
/// let lines = [r#"{"order_id":"1","buyer":{"name":"徳川家康"},"ordered_at":"2026-11-21T01:00:00+09:00"}"#,
///              r#"{"order_id":"2","buyer":{"name":"真田幸村"},"ordered_at":"2026-11-21T01:05:00+09:00"}"#];
/// let mut window = Evaluations::default();
/// for (i, line) in lines.iter().enumerate() {
///     // One part at a time: here one row each.
///     engine.evaluate_rows(&[parse_json_row(line, i as u64 + 1)], &mut window);
/// }
/// assert_eq!(window.len(), 2);
/// let streamed = engine.assess(window);
/// let rows: Vec<_> = lines.iter().enumerate().map(|(i, l)| parse_json_row(l, i as u64 + 1)).collect();
/// assert_eq!(streamed, engine.score_rows(&rows));
/// assert_eq!(streamed[1].reasons.iter().filter(|r| r.code.as_str() == "name_series").count(), 1);
/// ```
#[derive(Debug, Default)]
pub struct Evaluations {
    rows: Vec<Pending>,
}

impl Evaluations {
    /// An empty window with room for `rows` rows, so that filling it does not move it.
    pub fn with_capacity(rows: usize) -> Evaluations {
        Evaluations {
            rows: Vec::with_capacity(rows),
        }
    }

    /// How many rows the window holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One row between the per-order signals and linking: what assessing it still needs of
/// the order (its ID travels in the evaluation's observation), or the assessment of a
/// row that could not be read.
#[derive(Debug)]
enum Pending {
    Order {
        /// A trusted customer of the shop (by ID or by the email linking kept).
        trusted: bool,
        eval: Evaluated,
    },
    Bad(Assessment),
}

impl linking::LinkItem for Pending {
    fn observed(&self) -> Option<linking::Observed<'_>> {
        match self {
            Pending::Order { eval, .. } => eval.link.observed(),
            Pending::Bad(_) => None,
        }
    }
    fn key_count(&self) -> usize {
        match self {
            Pending::Order { eval, .. } => eval.link.key_count(),
            Pending::Bad(_) => 0,
        }
    }
    fn key(&self, i: usize) -> linking::KeyRef<'_> {
        match self {
            Pending::Order { eval, .. } => eval.link.key(i),
            // Never asked: a bad row has no keys.
            Pending::Bad(_) => linking::KeyRef::default(),
        }
    }
}

/// The reason codes one order fired, with their strengths, before the model turns them
/// into points: the features that [`crate::learn`] fits weights to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    /// The hits, per-order signals first, then linking signals.
    pub hits: Vec<Hit>,
}

impl Features {
    /// The strength with which `code` fired (summed if it fired more than once), or 0.
    pub fn strength(&self, code: ReasonCode) -> f64 {
        self.hits
            .iter()
            .filter(|h| h.code == code)
            .map(|h| h.strength)
            .sum()
    }
}

/// Appends `eval` of every item to the window, in order (on the current pool when
/// `parallel`).
fn extend_window<T: Sync>(
    window: &mut Evaluations,
    items: &[T],
    parallel: bool,
    eval: impl Fn(&T) -> Pending + Sync + Send,
) {
    if parallel {
        window
            .rows
            .par_extend(items.par_iter().with_min_len(256).map(eval));
    } else {
        window.rows.extend(items.iter().map(eval));
    }
}

/// Below this many orders a batch is scored on the calling thread.
const MIN_PARALLEL_BATCH: usize = 64;

impl Engine {
    /// An engine with no history ([`NoHistory`]), default shop settings and the default
    /// model.
    pub fn new() -> Engine {
        Engine {
            history: Box::new(NoHistory),
            shop: Shop::default(),
            model: Model::default(),
            threads: None,
            pool: Mutex::new(None),
        }
    }

    /// Uses `history` (the fraud index, a store of earlier orders) for lookups and linking.
    pub fn with_history(mut self, history: impl History + 'static) -> Engine {
        self.history = Box::new(history);
        self
    }

    /// Uses these shop settings.
    pub fn with_shop(mut self, shop: Shop) -> Engine {
        self.shop = shop.prepared();
        self
    }

    /// Uses this scoring model.
    pub fn with_model(mut self, model: Model) -> Engine {
        self.model = model;
        self
    }

    /// Loads the scoring model from a file (TOML or JSON, see [`Model::load`]).
    pub fn with_model_file(self, path: &Path) -> Result<Engine> {
        Ok(self.with_model(Model::load(path)?))
    }

    /// Scores batches on `threads` threads (1: always serial). The default is the number
    /// of CPUs, or `RAYON_NUM_THREADS` when set.
    pub fn with_threads(mut self, threads: usize) -> Engine {
        self.threads = Some(threads.max(1));
        self
    }

    /// The shop settings.
    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    /// The scoring model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The history.
    pub fn history(&self) -> &dyn History {
        &*self.history
    }

    /// Scores one order, linking it only with what the history store returns.
    pub fn score_one(&self, order: &Order) -> Assessment {
        self.run(&[Ok(order)], false).pop().unwrap_or_default()
    }

    /// Scores a batch in parallel (see [`Engine::with_threads`]); the output is in input
    /// order and the same whatever the thread count. Orders are linked within the batch
    /// and with the history store.
    pub fn score_batch(&self, orders: &[Order]) -> Vec<Assessment> {
        let rows: Vec<std::result::Result<&Order, &BadRow>> = orders.iter().map(Ok).collect();
        self.run(&rows, true)
    }

    /// Scores a batch on the calling thread only; same result as [`Engine::score_batch`].
    pub fn score_batch_serial(&self, orders: &[Order]) -> Vec<Assessment> {
        let rows: Vec<std::result::Result<&Order, &BadRow>> = orders.iter().map(Ok).collect();
        self.run(&rows, false)
    }

    /// Scores rows as read from a file: orders are scored (and linked together), bad rows
    /// become error assessments in their place. One assessment per row, in row order.
    ///
    /// ```
    /// let rows = vec![mikiwame::order::parse_json_row(r#"{"order_id":"a"}"#, 1),
    ///                 mikiwame::order::parse_json_row(r#"{"order_id":"b","amount":"x"}"#, 2)];
    /// let out = mikiwame::engine::Engine::new().score_rows(&rows);
    /// assert_eq!(out[1].error.as_ref().unwrap().field, "amount");
    /// assert_eq!(out[1].order_id.as_deref(), Some("b"));
    /// ```
    pub fn score_rows(&self, rows: &[Row]) -> Vec<Assessment> {
        let rows: Vec<std::result::Result<&Order, &BadRow>> =
            rows.iter().map(|r| r.as_ref()).collect();
        self.run(&rows, true)
    }

    /// The reason codes each order of a batch fires, before the model weighs them:
    /// per-order signals and linking signals (within the batch and with the history),
    /// exactly as [`Engine::score_batch`] sees them. One [`Features`] per order, in input
    /// order; runs in parallel like `score_batch`.
    ///
    /// ```
    /// use mikiwame::engine::Engine;
    /// use mikiwame::order::Order;
    /// use mikiwame::signals::ReasonCode;
    ///
    /// let orders: Vec<Order> = ["徳川家康", "真田幸村"].iter().enumerate().map(|(i, name)| {
    ///     Order::from_json(&format!(r#"{{"order_id": "o{i}", "ordered_at": "2026-11-21T14:0{i}:00+09:00",
    ///         "buyer": {{"name": "{name}"}}}}"#)).unwrap()
    /// }).collect();
    /// let features = Engine::new().features_batch(&orders);
    /// assert_eq!(features[0].strength(ReasonCode::CelebrityName), 1.0);
    /// assert_eq!(features[1].strength(ReasonCode::NameSeries), 1.0); // a linking signal
    /// ```
    pub fn features_batch(&self, orders: &[Order]) -> Vec<Features> {
        let rows: Vec<std::result::Result<&Order, &BadRow>> = orders.iter().map(Ok).collect();
        self.features_of(&rows)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect()
    }

    /// As [`Engine::features_batch`], for rows as read from a file: `None` for a bad row.
    pub fn features_rows(&self, rows: &[Row]) -> Vec<Option<Features>> {
        let rows: Vec<std::result::Result<&Order, &BadRow>> =
            rows.iter().map(|r| r.as_ref()).collect();
        self.features_of(&rows)
    }

    fn features_of(&self, rows: &[std::result::Result<&Order, &BadRow>]) -> Vec<Option<Features>> {
        let work = |parallel: bool| {
            let mut window = Evaluations::default();
            self.evaluate_into(rows, &mut window, parallel);
            let masks = self.link(&window, parallel);
            window
                .rows
                .into_iter()
                .zip(masks)
                .map(|(row, mask)| match row {
                    Pending::Order { eval, .. } => {
                        let mut hits = eval.hits;
                        hits.extend(linking::codes_of(mask).map(Hit::new));
                        Some(Features { hits })
                    }
                    Pending::Bad(_) => None,
                })
                .collect()
        };
        match (rows.len() >= MIN_PARALLEL_BATCH)
            .then(|| self.pool())
            .flatten()
        {
            Some(pool) => pool.install(|| work(true)),
            None => work(false),
        }
    }

    /// The per-order half of scoring: runs every per-order signal of `rows` (in parallel
    /// on the engine's threads) and appends them to `window`, to be linked and assessed
    /// by [`Engine::assess`] once the window is complete. See [`Evaluations`].
    pub fn evaluate_rows(&self, rows: &[Row], window: &mut Evaluations) {
        let rows: Vec<std::result::Result<&Order, &BadRow>> =
            rows.iter().map(|r| r.as_ref()).collect();
        match self.pool_for(rows.len(), true) {
            Some(pool) => pool.install(|| self.evaluate_into(&rows, window, true)),
            None => self.evaluate_into(&rows, window, false),
        }
    }

    /// As [`Engine::evaluate_rows`], for rows not read yet: `read` turns each item (a line
    /// of JSON, a CSV record, a row of a frame) into its row, which is evaluated at once
    /// and dropped, on the same thread.
    ///
    /// Reading all of a part first and evaluating it after costs more: the orders wait in
    /// memory between the two passes, and with several threads the two passes split the
    /// rows differently, so that about half of each order's strings are freed by a thread
    /// other than the one that allocated them (a slower path in every allocator).
    ///
    /// ```
    /// use mikiwame::engine::{Engine, Evaluations};
    /// use mikiwame::order::parse_json_row;
    ///
    /// let engine = Engine::new();
    /// // Lines of a JSONL file, with their line numbers.
    /// let lines = [(1, r#"{"order_id":"1","buyer":{"name":"徳川家康"},"ordered_at":"2026-11-21T01:00:00+09:00"}"#),
    ///              (2, r#"{"order_id":"2","buyer":{"name":"真田幸村"},"ordered_at":"2026-11-21T01:05:00+09:00"}"#),
    ///              (3, r#"{"order_id": 3"#)];
    /// let mut window = Evaluations::default();
    /// engine.evaluate_each(&lines, |&(n, line)| parse_json_row(line, n), &mut window);
    /// let scored = engine.assess(window);
    /// assert!(scored[1].reasons.iter().any(|r| r.code.as_str() == "name_series"));
    /// assert_eq!(scored[2].error.as_ref().map(|e| e.row), Some(3));
    /// ```
    pub fn evaluate_each<T: Sync>(
        &self,
        items: &[T],
        read: impl Fn(&T) -> Row + Sync,
        window: &mut Evaluations,
    ) {
        let eval = |item: &T| self.evaluate_row(read(item).as_ref());
        match self.pool_for(items.len(), true) {
            Some(pool) => pool.install(|| extend_window(window, items, true, eval)),
            None => extend_window(window, items, false, eval),
        }
    }

    /// The rest of scoring: links the window's orders with each other and the history,
    /// then weighs every order's signals. One assessment per row added to the window, in
    /// order. See [`Evaluations`].
    pub fn assess(&self, window: Evaluations) -> Vec<Assessment> {
        match self.pool_for(window.len(), true) {
            Some(pool) => pool.install(|| self.assess_in(window, true)),
            None => self.assess_in(window, false),
        }
    }

    /// As [`Engine::assess`], handing the assessments to `f` a block of `block` rows at a
    /// time, in parallel on the engine's threads: the results of `f`, one per block, in
    /// order. Each block is assessed, given to `f` and dropped on one thread, so that a
    /// caller that only writes the assessments out (as `mikiwame score` does) never holds
    /// the whole window's, nor makes another pass over them.
    ///
    /// ```
    /// use mikiwame::engine::{Engine, Evaluations};
    /// use mikiwame::order::parse_json_row;
    ///
    /// let engine = Engine::new();
    /// let rows: Vec<_> = (1..=5u64)
    ///     .map(|n| parse_json_row(&format!(r#"{{"order_id":"o{n}","buyer":{{"name":"徳川家康"}}}}"#), n))
    ///     .collect();
    /// let mut window = Evaluations::default();
    /// engine.evaluate_rows(&rows, &mut window);
    /// let ids = engine.assess_blocks(window, 2, |block| {
    ///     block.iter().map(|a| a.order_id.clone().unwrap_or_default()).collect::<Vec<_>>().join(",")
    /// });
    /// assert_eq!(ids, ["o1,o2", "o3,o4", "o5"]);
    /// ```
    pub fn assess_blocks<R: Send>(
        &self,
        window: Evaluations,
        block: usize,
        f: impl Fn(&[Assessment]) -> R + Sync,
    ) -> Vec<R> {
        // Chunks of more rows than the window are the whole window (and allocate no more).
        let block = block.clamp(1, window.len().max(1));
        let parallel = self.pool_for(window.len(), true);
        let work = |parallel: bool| {
            let masks = self.link(&window, parallel);
            if parallel {
                window
                    .rows
                    .into_par_iter()
                    .zip(masks)
                    .chunks(block)
                    .map(|rows| f(&rows.into_iter().map(|r| self.finish(r)).collect::<Vec<_>>()))
                    .collect()
            } else {
                let mut rows = window.rows.into_iter().zip(masks);
                std::iter::from_fn(|| {
                    let b: Vec<Assessment> =
                        rows.by_ref().take(block).map(|r| self.finish(r)).collect();
                    (!b.is_empty()).then(|| f(&b))
                })
                .collect()
            }
        };
        match parallel {
            Some(pool) => pool.install(|| work(true)),
            None => work(false),
        }
    }

    /// Runs `f` inside the engine's thread pool, so that rayon work in `f` (parsing a chunk,
    /// writing output) shares the engine's threads. Runs `f` directly when the engine is
    /// serial.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match self.pool() {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// How many threads a batch is scored on (1: on the calling thread only).
    pub fn threads(&self) -> usize {
        self.thread_count()
    }

    fn thread_count(&self) -> usize {
        self.threads.unwrap_or_else(|| {
            std::env::var("RAYON_NUM_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| {
                    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
                })
        })
    }

    /// The pool, created on first use; `None` when serial or when no thread could start.
    fn pool(&self) -> Option<Arc<rayon::ThreadPool>> {
        let threads = self.thread_count();
        if threads <= 1 {
            return None;
        }
        let pid = std::process::id();
        let mut slot = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((owner, pool)) = slot.as_ref() {
            if *owner == pid {
                return Some(Arc::clone(pool));
            }
            // A pool inherited through fork(): its threads do not exist here. Dropping it
            // would try to talk to them, so it is leaked on purpose.
            if let Some((_, stale)) = slot.take() {
                std::mem::forget(stale);
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("mikiwame-{i}"))
            .build()
            .ok()
            .map(Arc::new)?;
        *slot = Some((pid, Arc::clone(&pool)));
        Some(pool)
    }

    /// The pool to run `n` rows on, when `parallel` asks for one and `n` is worth it.
    fn pool_for(&self, n: usize, parallel: bool) -> Option<Arc<rayon::ThreadPool>> {
        if parallel && n >= MIN_PARALLEL_BATCH {
            self.pool()
        } else {
            None
        }
    }

    fn run(
        &self,
        rows: &[std::result::Result<&Order, &BadRow>],
        parallel: bool,
    ) -> Vec<Assessment> {
        let work = |parallel: bool| {
            let mut window = Evaluations::default();
            self.evaluate_into(rows, &mut window, parallel);
            self.assess_in(window, parallel)
        };
        match self.pool_for(rows.len(), parallel) {
            Some(pool) => pool.install(|| work(true)),
            None => work(false),
        }
    }

    /// Runs every per-order signal of `rows` and appends them to `window`.
    fn evaluate_into(
        &self,
        rows: &[std::result::Result<&Order, &BadRow>],
        window: &mut Evaluations,
        parallel: bool,
    ) {
        extend_window(window, rows, parallel, |row| self.evaluate_row(*row));
    }

    /// Every per-order signal of one row.
    fn evaluate_row(&self, row: std::result::Result<&Order, &BadRow>) -> Pending {
        match row {
            Ok(o) => {
                let th = &self.model.thresholds;
                let eval = signals::evaluate(o, &*self.history, &self.shop, th);
                Pending::Order {
                    trusted: self
                        .shop
                        .is_trusted(o.customer_id.as_deref(), eval.link.email()),
                    eval,
                }
            }
            Err(bad) => Pending::Bad(Assessment::from_bad_row(bad)),
        }
    }

    /// Links the window's readable orders (within the window and with the history): per
    /// row, the mask of its linking codes.
    fn link(&self, window: &Evaluations, parallel: bool) -> Vec<u64> {
        linking::link_with(
            &window.rows,
            &*self.history,
            &self.model.thresholds,
            parallel,
        )
    }

    fn assess_in(&self, window: Evaluations, parallel: bool) -> Vec<Assessment> {
        let masks = self.link(&window, parallel);
        let finish = |row: (Pending, u64)| self.finish(row);
        if parallel {
            window
                .rows
                .into_par_iter()
                .zip(masks)
                .with_min_len(256)
                .map(finish)
                .collect()
        } else {
            window.rows.into_iter().zip(masks).map(finish).collect()
        }
    }

    /// A row's assessment, given its linking codes.
    fn finish(&self, (row, mask): (Pending, u64)) -> Assessment {
        match row {
            Pending::Order { trusted, eval } => self.assess_one(trusted, eval, mask),
            Pending::Bad(a) => a,
        }
    }

    fn assess_one(&self, trusted: bool, e: Evaluated, linked: u64) -> Assessment {
        let mut hits = e.hits;
        hits.extend(linking::codes_of(linked).map(Hit::new));
        let score = self.model.score(&hits);
        let mut reasons: Vec<Reason> = hits
            .iter()
            .map(|h| Reason {
                code: h.code,
                points: (self.model.points(h) * 100.0).round() / 100.0,
            })
            .collect();
        reasons.sort_by(|a, b| {
            b.points
                .total_cmp(&a.points)
                .then_with(|| a.code.as_str().cmp(b.code.as_str()))
        });
        let grade = e.check.address_match.level;
        let forwarding_alert =
            e.check.forwarding.level == ForwardingLevel::Service && !self.shop.ships_to_forwarders;
        let alert = !trusted
            && (score >= self.shop.alert_threshold || grade != Grade::None || forwarding_alert);
        Assessment {
            order_id: Some(e.link.order_id().to_string()),
            score,
            band: Band::of(score),
            alert,
            address_match: e.check.address_match,
            forwarding: e.check.forwarding,
            reasons,
            data_quality: e.quality,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::MemoryHistory;

    fn order(json: &str) -> Order {
        Order::from_json(json).unwrap()
    }

    /// A fraud index stand-in: grades by the address text, knows one of each contact.
    struct Fixture;
    impl History for Fixture {
        fn check_address(&self, a: &crate::address::Address) -> crate::index::AddressCheck {
            let mut c = crate::index::AddressCheck::default();
            if a.input.contains("詐欺") {
                c.address_match.level = Grade::Danger;
            }
            if a.input.contains("転送") {
                c.forwarding.level = ForwardingLevel::Service;
            }
            if a.input.contains("転居") {
                c.forwarding.level = ForwardingLevel::Possible;
            }
            c
        }
        fn known_email(&self, e: &str) -> bool {
            e == "fraud@gmail.com"
        }
        fn known_phone(&self, p: &str) -> bool {
            p == "+819099998888"
        }
        fn known_card(&self, c: &str) -> bool {
            c == "fp-fraud"
        }
    }

    /// An order with every kind of link key, as many as its two parties can give: exactly
    /// the inline room of `Linkable`, which an order never outgrows.
    #[test]
    fn an_order_fills_at_most_every_link_key_slot() {
        use crate::signals::linking::{LinkItem, MAX_KEYS};
        let o = order(
            r#"{"order_id":"full","ordered_at":"2026-11-20T02:00:00+09:00",
                "buyer":{"name":"徳川家康","email":"a@example.jp","phone":"090-1111-2222",
                         "address":"東京都世田谷区池尻1-2-3"},
                "shipping":{"name":"真田幸村","email":"b@example.jp","phone":"090-3333-4444",
                            "address":"東京都世田谷区池尻1-2-3"},
                "payment":{"card_fingerprint":"fp-1"},"ip":"192.0.2.1"}"#,
        );
        let th = signals::Thresholds::default();
        let e = signals::evaluate(&o, &NoHistory, &Shop::default(), &th);
        assert_eq!(e.link.key_count(), MAX_KEYS);
        assert_eq!(e.link.order_id(), "full");
        assert_eq!(e.link.email(), Some("a@example.jp"));
    }

    /// A positive and a negative batch for a reason code; the first order of each is the
    /// one judged. `None` for the address anomaly codes, which need the parser and are
    /// tested on constructed addresses in `signals::address`.
    fn reason_case(code: ReasonCode) -> Option<(Vec<&'static str>, Vec<&'static str>)> {
        use ReasonCode::*;
        let one = |p: &'static str, n: &'static str| Some((vec![p], vec![n]));
        match code {
            FraudAddress => one(
                r#"{"order_id":"p","buyer":{"address":"詐欺県1-1"}}"#,
                r#"{"order_id":"n","buyer":{"address":"東京都港区芝公園4-2-8"}}"#,
            ),
            ForwardingService => one(
                r#"{"order_id":"p","shipping":{"address":"転送センター1-1"}}"#,
                r#"{"order_id":"n","shipping":{"address":"東京都港区芝公園4-2-8"}}"#,
            ),
            ForwardingPossible => one(
                r#"{"order_id":"p","shipping":{"address":"転居先1-1"}}"#,
                r#"{"order_id":"n","shipping":{"address":"転送センター1-1"}}"#,
            ),
            KnownFraudEmail => one(
                r#"{"order_id":"p","buyer":{"email":"Fraud+shop@gmail.com"}}"#,
                r#"{"order_id":"n","buyer":{"email":"fraud@yahoo.co.jp"}}"#,
            ),
            KnownFraudPhone => one(
                r#"{"order_id":"p","shipping":{"name":"x","phone":"090-9999-8888"}}"#,
                r#"{"order_id":"n","shipping":{"name":"x","phone":"090-9999-8887"}}"#,
            ),
            KnownFraudCard => one(
                r#"{"order_id":"p","payment":{"card_fingerprint":"fp-fraud"}}"#,
                r#"{"order_id":"n","payment":{"card_fingerprint":"fp-other"}}"#,
            ),
            AddressObfuscated | PostalCodeMismatch | AddressUnparsed => None,
            InvalidPhone => one(
                r#"{"order_id":"p","buyer":{"phone":"090-123-456"}}"#,
                r#"{"order_id":"n","buyer":{"phone":"+44 20 7946 0958"}}"#,
            ),
            DisposableEmail => one(
                r#"{"order_id":"p","buyer":{"email":"hanako@mailinator.com"}}"#,
                r#"{"order_id":"n","buyer":{"email":"hanako@gmail.com"}}"#,
            ),
            RandomEmail => one(
                r#"{"order_id":"p","buyer":{"email":"x7kq9zt2vw@gmail.com"}}"#,
                r#"{"order_id":"n","buyer":{"email":"hanako.sato1990@gmail.com"}}"#,
            ),
            CelebrityName => one(
                r#"{"order_id":"p","shipping":{"name":"坂本 龍馬"}}"#,
                r#"{"order_id":"n","shipping":{"name":"坂本 健太"}}"#,
            ),
            GibberishName => one(
                r#"{"order_id":"p","buyer":{"name":"ｱｱｱ"}}"#,
                r#"{"order_id":"n","buyer":{"name":"佐々木奈々"}}"#,
            ),
            NameMismatch => one(
                r#"{"order_id":"p","buyer":{"name":"鈴木花子","name_kana":"サトウハナコ"}}"#,
                r#"{"order_id":"n","buyer":{"name":"鈴木花子","name_kana":"スズキハナコ"}}"#,
            ),
            SharedAddressManyBuyers => Some((
                vec![
                    r#"{"order_id":"p1","buyer":{"name":"佐藤一","address":"東京都港区芝公園4-2-8"}}"#,
                    r#"{"order_id":"p2","buyer":{"name":"鈴木二","address":"東京都港区芝公園4-2-8"}}"#,
                    r#"{"order_id":"p3","buyer":{"name":"高橋三","address":"東京都港区 芝公園4-2-8"}}"#,
                ],
                vec![
                    r#"{"order_id":"n1","buyer":{"name":"佐藤一","address":"東京都港区芝公園4-2-8"}}"#,
                    r#"{"order_id":"n2","buyer":{"name":"佐藤一","address":"東京都港区芝公園4-2-8"}}"#,
                    r#"{"order_id":"n3","buyer":{"name":"高橋三","address":"東京都港区芝公園4-2-9"}}"#,
                ],
            )),
            SharedContactManyNames => Some((
                vec![
                    r#"{"order_id":"p1","buyer":{"name":"佐藤一","phone":"090-3141-5926"}}"#,
                    r#"{"order_id":"p2","buyer":{"name":"鈴木二","phone":"09031415926"}}"#,
                    r#"{"order_id":"p3","buyer":{"name":"高橋三","phone":"+81 90 3141 5926"}}"#,
                ],
                vec![
                    r#"{"order_id":"n1","buyer":{"name":"佐藤一","phone":"090-3141-5926"}}"#,
                    r#"{"order_id":"n2","buyer":{"name":"鈴木二","phone":"090-3141-5926"}}"#,
                    r#"{"order_id":"n3","buyer":{"name":"高橋三","phone":"090-3141-5927"}}"#,
                ],
            )),
            BurstOrders => Some((
                vec![
                    r#"{"order_id":"p1","ordered_at":"2026-11-20T10:00","ip":"192.0.2.1"}"#,
                    r#"{"order_id":"p2","ordered_at":"2026-11-20T10:20","ip":"192.0.2.1"}"#,
                    r#"{"order_id":"p3","ordered_at":"2026-11-20T10:40","ip":"192.0.2.1"}"#,
                ],
                vec![
                    r#"{"order_id":"n1","ordered_at":"2026-11-20T10:00","ip":"192.0.2.1"}"#,
                    r#"{"order_id":"n2","ordered_at":"2026-11-20T12:00","ip":"192.0.2.1"}"#,
                    r#"{"order_id":"n3","ordered_at":"2026-11-20T14:00","ip":"192.0.2.1"}"#,
                ],
            )),
            NameSeries => Some((
                vec![
                    r#"{"order_id":"p1","ordered_at":"2026-11-21T02:10","buyer":{"name":"徳川家康"}}"#,
                    r#"{"order_id":"p2","ordered_at":"2026-11-21T02:25","buyer":{"name":"真田幸村"}}"#,
                ],
                vec![
                    r#"{"order_id":"n1","ordered_at":"2026-11-21T02:10","buyer":{"name":"徳川家康"}}"#,
                    r#"{"order_id":"n2","ordered_at":"2026-11-21T02:25","buyer":{"name":"佐藤花子"}}"#,
                ],
            )),
            HighRiskItems => one(
                r#"{"order_id":"p","items":[{"category":"book"},{"category":"ギフト券"}]}"#,
                r#"{"order_id":"n","items":[{"category":"electronics","unit_price":3000}]}"#,
            ),
            HighAmount => one(
                r#"{"order_id":"p","items":[{"quantity":3,"unit_price":40000}]}"#,
                r#"{"order_id":"n","amount":150000,"currency":"USD"}"#,
            ),
            NightOrder => one(
                r#"{"order_id":"p","ordered_at":"2026-11-20T18:30:00Z"}"#,
                r#"{"order_id":"n","ordered_at":"2026-11-20T05:00:00+09:00"}"#,
            ),
            NewAccount => one(
                r#"{"order_id":"p","ordered_at":"2026-11-20T10:00","account_created_at":"2026-11-20T09:50"}"#,
                r#"{"order_id":"n","ordered_at":"2026-11-20T10:00","account_created_at":"2026-11-18T09:50"}"#,
            ),
            BillingShippingMismatch => one(
                r#"{"order_id":"p","buyer":{"name":"佐藤花子","address":"東京都港区芝公園4-2-8"},"shipping":{"name":"田中一郎","address":"大阪府大阪市北区梅田1-1-1"}}"#,
                r#"{"order_id":"n","buyer":{"name":"佐藤花子","address":"東京都港区芝公園4-2-8"},"shipping":{"name":"佐藤 花子","address":"大阪府大阪市北区梅田1-1-1"}}"#,
            ),
        }
    }

    fn score(engine: &Engine, batch: &[&str]) -> Assessment {
        let orders: Vec<Order> = batch.iter().map(|j| order(j)).collect();
        engine.score_batch(&orders).remove(0)
    }

    #[test]
    fn every_reason_code_has_positive_and_negative_cases() {
        let engine = Engine::new().with_history(Fixture);
        for &code in ReasonCode::ALL {
            let Some((pos, neg)) = reason_case(code) else {
                continue;
            };
            let p = score(&engine, &pos);
            assert!(p.has(code), "{code} missing from {p:?}");
            let n = score(&engine, &neg);
            assert!(!n.has(code), "{code} present in {n:?}");
        }
    }

    #[test]
    fn every_data_quality_code_has_positive_and_negative_cases() {
        let shop = Shop::from_json(
            r#"{"name":"みきわめ商店","phones":["03-5555-0123"],"emails":["info@shop.jp"]}"#,
        )
        .unwrap();
        let engine = Engine::new().with_shop(shop);
        let addr = r#""address":"東京都港区芝公園4-2-8""#;
        for &code in DataQuality::ALL {
            let (pos, neg) = match code {
                DataQuality::DummyName => ("\"name\":\"名無し\"", "\"name\":\"名取\""),
                DataQuality::DummyPhone => {
                    ("\"phone\":\"000-0000-0000\"", "\"phone\":\"090-3141-5926\"")
                }
                DataQuality::DummyEmail => ("\"email\":\"a@a.com\"", "\"email\":\"a@shop.co.jp\""),
                DataQuality::ShopContactAsBuyer => {
                    ("\"phone\":\"0355550123\"", "\"phone\":\"0355550124\"")
                }
                DataQuality::MissingAddress => ("\"name\":\"佐藤花子\"", addr),
            };
            let with_addr = |field: &str| {
                if code == DataQuality::MissingAddress {
                    format!(r#"{{"order_id":"x","buyer":{{{field}}}}}"#)
                } else {
                    format!(r#"{{"order_id":"x","buyer":{{{field},{addr}}}}}"#)
                }
            };
            let p = engine.score_one(&order(&with_addr(pos)));
            assert_eq!(p.data_quality, [code], "{code}: {p:?}");
            let n = engine.score_one(&order(&with_addr(neg)));
            assert!(n.data_quality.is_empty(), "{code}: {n:?}");
        }
        // The shop's name and email are the shop's contacts too.
        let by_name = engine.score_one(&order(&format!(
            r#"{{"order_id":"x","buyer":{{"name":"みきわめ 商店",{addr}}}}}"#
        )));
        assert_eq!(by_name.data_quality, [DataQuality::ShopContactAsBuyer]);
        let by_mail = engine.score_one(&order(&format!(
            r#"{{"order_id":"x","shipping":{{"email":"Info@Shop.jp",{addr}}}}}"#
        )));
        assert_eq!(by_mail.data_quality, [DataQuality::ShopContactAsBuyer]);
    }

    #[test]
    fn features_are_what_scoring_weighs() {
        let orders: Vec<Order> = (0..200)
            .map(|i| {
                order(&format!(
                    r#"{{"order_id":"o{i}","ordered_at":"2026-11-20T0{}:00:00+09:00",
                        "buyer":{{"name":"{}","address":"東京都港区芝公園{}-1-1"}},
                        "items":[{{"category":"{}"}}]}}"#,
                    i % 10,
                    ["徳川家康", "佐藤花子", "asdf", "鈴木一郎", "田中"][i % 5],
                    i % 3,
                    ["book", "gift_card"][i % 2]
                ))
            })
            .collect();
        for engine in [Engine::new().with_threads(1), Engine::new().with_threads(2)] {
            let features = engine.features_batch(&orders);
            let scored = engine.score_batch(&orders);
            assert_eq!(features.len(), orders.len());
            for (f, a) in features.iter().zip(&scored) {
                let mut from_features: Vec<ReasonCode> = f.hits.iter().map(|h| h.code).collect();
                let mut from_reasons: Vec<ReasonCode> = a.reasons.iter().map(|r| r.code).collect();
                from_features.sort();
                from_reasons.sort();
                assert_eq!(from_features, from_reasons);
                assert_eq!(engine.model().score(&f.hits), a.score);
            }
            assert!(features
                .iter()
                .any(|f| f.strength(ReasonCode::SharedAddressManyBuyers) > 0.0));
        }
        let rows = vec![
            crate::order::parse_json_row(r#"{"order_id":"a","buyer":{"name":"徳川家康"}}"#, 1),
            crate::order::parse_json_row(r#"{"order_id":"b","amount":"x"}"#, 2),
        ];
        let f = Engine::new().features_rows(&rows);
        assert!(f[0].as_ref().unwrap().strength(ReasonCode::CelebrityName) == 1.0);
        assert!(f[1].is_none());
    }

    #[test]
    fn window_in_parts_equals_one_batch() {
        // Orders that link across parts (one address, one card, joke names), with bad
        // rows among them: evaluating the window in parts of any size must not change a
        // single assessment, serial or parallel.
        let lines: Vec<(u64, String)> = (0..300u64)
            .map(|i| {
                let line = if i % 37 == 5 {
                    format!(r#"{{"order_id":"bad-{i}","amount":"x"}}"#)
                } else {
                    let name = ["徳川家康", "山田太郎", "りるれれれ", "佐藤花子"][i as usize % 4];
                    format!(
                        r#"{{"order_id":"o{i}","ordered_at":"2026-11-21T01:{:02}:00+09:00",
                        "buyer":{{"name":"{name}","email":"b{}@example.jp",
                        "address":"東京都世田谷区池尻2-{}-1"}},
                        "payment":{{"card_fingerprint":"fp-{}"}}}}"#,
                        i % 60,
                        i % 7,
                        i % 3,
                        i % 5
                    )
                };
                (i + 1, line)
            })
            .collect();
        let read = |(n, line): &(u64, String)| crate::order::parse_json_row(line, *n);
        let rows: Vec<Row> = lines.iter().map(read).collect();
        for threads in [1, 2] {
            let engine = Engine::new().with_threads(threads);
            let whole = engine.score_rows(&rows);
            assert!(whole
                .iter()
                .any(|a| a.has(ReasonCode::SharedAddressManyBuyers)));
            assert!(whole.iter().any(|a| a.error.is_some()));
            for part in [1, 7, 64, 100, 300] {
                let mut window = Evaluations::default();
                for chunk in rows.chunks(part) {
                    engine.evaluate_rows(chunk, &mut window);
                }
                assert_eq!(window.len(), rows.len());
                assert_eq!(
                    engine.assess(window),
                    whole,
                    "parts of {part}, {threads} threads"
                );
                // Read, evaluated and dropped row by row: the same assessments.
                let mut window = Evaluations::default();
                for chunk in lines.chunks(part) {
                    engine.evaluate_each(chunk, read, &mut window);
                }
                assert_eq!(
                    engine.assess(window),
                    whole,
                    "evaluate_each, parts of {part}, {threads} threads"
                );
                // Assessed in blocks (as many sizes as parts): the same, in order.
                let mut window = Evaluations::default();
                engine.evaluate_rows(&rows, &mut window);
                let blocks = engine.assess_blocks(window, part, <[Assessment]>::to_vec);
                // A block larger than the window is the whole window; no rows, no blocks.
                assert!(engine
                    .assess_blocks(Evaluations::default(), part, <[Assessment]>::to_vec)
                    .is_empty());
                let mut window = Evaluations::default();
                engine.evaluate_rows(&rows, &mut window);
                assert_eq!(
                    engine.assess_blocks(window, usize::MAX, <[Assessment]>::to_vec),
                    std::slice::from_ref(&whole)
                );
                assert!(blocks.iter().all(|b| b.len() <= part));
                assert_eq!(blocks.len(), rows.len().div_ceil(part));
                assert_eq!(
                    blocks.concat(),
                    whole,
                    "assess_blocks of {part}, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn engine_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
    }

    #[test]
    fn quiet_order_is_low_and_silent() {
        let a = Engine::new().score_one(&order(
            r#"{"order_id":"q","ordered_at":"2026-11-20T14:00:00+09:00","amount":3200,
                "buyer":{"name":"佐藤花子","name_kana":"サトウハナコ","email":"hanako.sato@gmail.com",
                "phone":"090-3141-5926","address":"東京都世田谷区池尻1-2-3"}}"#,
        ));
        assert_eq!((a.score, a.band, a.alert), (1, Band::Low, false));
        assert!(a.reasons.is_empty() && a.data_quality.is_empty(), "{a:?}");
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(
            json["address_match"],
            serde_json::json!({"level": "none", "stars": 0})
        );
        assert_eq!(json["forwarding"], serde_json::json!({"level": "none"}));
        assert!(json["error"].is_null());
    }

    #[test]
    fn known_contacts_and_alerts() {
        let mut h = MemoryHistory::default();
        h.cards.insert("fp-bad".into());
        h.phones.insert("+819031415926".into());
        h.emails.insert("bad@gmail.com".into());
        let engine = Engine::new().with_history(h);
        let a = engine.score_one(&order(
            r#"{"order_id":"k","buyer":{"email":"b.a.d+x@gmail.com","phone":"09031415926"},
                "payment":{"card_fingerprint":"fp-bad"}}"#,
        ));
        for code in [
            ReasonCode::KnownFraudCard,
            ReasonCode::KnownFraudEmail,
            ReasonCode::KnownFraudPhone,
        ] {
            assert!(a.has(code), "{code}");
        }
        assert_eq!(a.reasons[0].code, ReasonCode::KnownFraudCard);
        assert!(a.alert && a.band == Band::High);
        let clean = engine.score_one(&order(
            r#"{"order_id":"c","buyer":{"email":"good@gmail.com","phone":"09031415927"},
                "payment":{"card_fingerprint":"fp-good"}}"#,
        ));
        assert!(clean.reasons.is_empty(), "{clean:?}");
    }

    #[test]
    fn trusted_customers_never_alert() {
        let shop = Shop::from_json(r#"{"trusted_customers": ["c-9"]}"#).unwrap();
        let engine = Engine::new().with_shop(shop);
        let o = order(
            r#"{"order_id":"t","customer_id":"c-9","buyer":{"name":"徳川家康"},
                "items":[{"category":"gift_card"}]}"#,
        );
        let a = engine.score_one(&o);
        assert!(a.score >= 10 && !a.alert, "{a:?}");
        let mut other = o.clone();
        other.customer_id = Some("c-1".into());
        assert!(engine.score_one(&other).alert);
    }

    /// A history that answers every address with one check and knows no contact.
    struct FixedCheck(crate::index::AddressCheck);

    impl History for FixedCheck {
        fn check_address(&self, _: &crate::address::Address) -> crate::index::AddressCheck {
            self.0.clone()
        }
        fn known_email(&self, _: &str) -> bool {
            false
        }
        fn known_phone(&self, _: &str) -> bool {
            false
        }
        fn known_card(&self, _: &str) -> bool {
            false
        }
    }

    #[test]
    fn forwarding_alerts_unless_shop_ships_there() {
        let mut check = crate::index::AddressCheck::default();
        check.forwarding.level = ForwardingLevel::Service;
        let forwarder = || FixedCheck(check.clone());
        let o = order(r#"{"order_id":"f","buyer":{"address":"千葉県市川市塩浜2-1-1"}}"#);
        let a = Engine::new().with_history(forwarder()).score_one(&o);
        assert!(a.has(ReasonCode::ForwardingService));
        assert!(a.alert);
        let shop =
            Shop::from_json(r#"{"ships_to_forwarders": true, "alert_threshold": 50}"#).unwrap();
        let a = Engine::new()
            .with_history(forwarder())
            .with_shop(shop)
            .score_one(&o);
        assert!(a.has(ReasonCode::ForwardingService) && !a.alert, "{a:?}");
    }

    #[test]
    fn grade_alerts_even_below_threshold() {
        let mut check = crate::index::AddressCheck::default();
        check.address_match.level = Grade::Warning;
        let shop = Shop::from_json(r#"{"alert_threshold": 90}"#).unwrap();
        let o = order(r#"{"order_id":"w","buyer":{"address":"大阪府大阪市北区梅田1-1-1"}}"#);
        let a = Engine::new()
            .with_history(FixedCheck(check))
            .with_shop(shop)
            .score_one(&o);
        assert_eq!(a.address_match.stars, 1);
        assert!(a.score < 90 && a.alert);
    }

    #[test]
    fn error_rows_serialize_short() {
        let rows = vec![crate::order::parse_json_row(
            r#"{"order_id":"e","amount":[]}"#,
            17,
        )];
        let out = Engine::new().score_rows(&rows);
        let v = serde_json::to_value(&out[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"order_id": "e", "error": {"row": 17, "field": "amount", "message": "expected a number"}})
        );
    }

    #[test]
    fn batch_threads_agree() {
        let orders: Vec<Order> = (0..300)
            .map(|i| {
                order(&format!(
                    r#"{{"order_id":"o{i}","ordered_at":"2026-11-20T0{}:00:00+09:00",
                        "buyer":{{"name":"{}","email":"u{}@gmail.com","address":"東京都港区芝公園{}-1-1"}},
                        "payment":{{"card_fingerprint":"fp{}"}}}}"#,
                    i % 10,
                    ["徳川家康", "佐藤花子", "asdf", "鈴木一郎"][i % 4],
                    i % 7,
                    i % 5,
                    i % 11
                ))
            })
            .collect();
        let serial = Engine::new().with_threads(1).score_batch(&orders);
        let two = Engine::new().with_threads(2).score_batch(&orders);
        let serial_path = Engine::new().score_batch_serial(&orders);
        assert_eq!(serial, two);
        assert_eq!(serial, serial_path);
        assert!(serial.iter().any(|a| a.has(ReasonCode::BurstOrders)));
        assert!(serial.iter().any(|a| a.has(ReasonCode::NameSeries)));
    }

    #[test]
    fn write_json_equals_serde() {
        use crate::index::MatchedRecord;
        let orders: Vec<Order> = [
            r#"{"order_id":"a\"b\\c\u0001","buyer":{"name":"徳川家康","email":"a@a.com"}}"#,
            r#"{"order_id":"x","amount":500000,"items":[{"category":"gift_card"}]}"#,
            r#"{"order_id":"ü","buyer":{"name":"名無し","phone":"000-0000-0000"}}"#,
        ]
        .iter()
        .map(|j| order(j))
        .collect();
        let mut all = Engine::new().with_history(Fixture).score_batch(&orders);
        let rows = vec![crate::order::parse_json_row(
            r#"{"order_id":"e","amount":[]}"#,
            3,
        )];
        all.extend(Engine::new().score_rows(&rows));
        let mut shaped = all[0].clone();
        shaped.order_id = None;
        shaped.score = 100;
        shaped.address_match.level = Grade::Caution;
        shaped.address_match.stars = 2;
        shaped.forwarding.level = ForwardingLevel::Possible;
        all.push(shaped.clone());
        shaped.forwarding.service = Some("転送コム".into());
        all.push(shaped.clone());
        shaped.address_match.records = vec![MatchedRecord::default()];
        all.push(shaped);
        for score in [0, 7, 10, 99] {
            let mut a = all[1].clone();
            a.score = score;
            a.band = Band::of(score);
            all.push(a);
        }
        for a in &all {
            let mut out = Vec::new();
            a.write_json(&mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(a).unwrap()
            );
        }
    }
}
