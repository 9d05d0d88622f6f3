//! `MkwEngine`: scoring orders and grading addresses.

use std::ffi::c_char;

use mikiwame::engine::{Assessment, Engine};
use mikiwame::index::Index;
use mikiwame::order::{parse_json_line, Order, Row, RowError};
use mikiwame::shop::Shop;
use rayon::prelude::*;

use crate::boundary::{arg_bytes, arg_opt_str, arg_str, boundary, out_json, out_string};
use crate::error::{MkwError, MkwErrorCode};

/// A scoring engine: the fraud index, the shop settings and the scoring model.
///
/// Opened with `mkw_engine_open`, freed with `mkw_engine_free`. Immutable once opened and
/// thread-safe: one engine may be used by any number of threads at once (open it once per
/// process and share it). It keeps the index file memory-mapped until it is freed; the
/// file must not be truncated or rewritten in place meanwhile (`mikiwame index build`
/// writes a new file and renames it, which is safe).
pub struct MkwEngine {
    engine: Engine,
    /// The thread count asked for (0: default); 1 keeps every step on the calling thread.
    threads: usize,
}

/// Opens an engine over the index file at `index_path` (built by `mikiwame index build`),
/// with the shop settings `shop_json` (a JSON object as in DESIGN "Shop settings"), or the
/// default settings when `shop_json` is NULL. Batches use one thread per CPU.
///
/// Returns a new engine, which the caller frees with `mkw_engine_free`; or NULL on error,
/// with `*error` set when `error` is not NULL (`MKW_ERROR_CODE_IO` for a missing file,
/// `MKW_ERROR_CODE_INDEX_FORMAT` for a file that is not a valid index,
/// `MKW_ERROR_CODE_INVALID_INPUT` for bad shop settings). Thread-safe.
///
/// # Safety
/// `index_path` and `shop_json` are NULL or NUL-terminated strings; `error` is NULL or
/// points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn mkw_engine_open(
    index_path: *const c_char,
    shop_json: *const c_char,
    error: *mut *mut MkwError,
) -> *mut MkwEngine {
    // SAFETY: forwarded from the caller.
    unsafe { mkw_engine_open_with_threads(index_path, shop_json, 0, error) }
}

/// As `mkw_engine_open`, with `threads` worker threads for `mkw_score_jsonl` (0: one per
/// CPU, or `RAYON_NUM_THREADS` when set; 1: batches run on the calling thread only, and no
/// thread is ever started). No thread is started before the first large batch.
///
/// # Safety
/// As `mkw_engine_open`.
#[no_mangle]
pub unsafe extern "C" fn mkw_engine_open_with_threads(
    index_path: *const c_char,
    shop_json: *const c_char,
    threads: usize,
    error: *mut *mut MkwError,
) -> *mut MkwEngine {
    // SAFETY: `error` as the caller guarantees; the closure reads only the caller's strings.
    let engine = unsafe {
        boundary(error, || {
            // SAFETY: the caller passes NULL or NUL-terminated strings.
            let path = arg_str(index_path, "index_path")?;
            // SAFETY: as above.
            let shop = arg_opt_str(shop_json, "shop_json")?;
            let mut engine = Engine::new().with_history(Index::open(path)?);
            if let Some(shop) = shop {
                engine = engine.with_shop(Shop::from_json(shop)?);
            }
            if threads > 0 {
                engine = engine.with_threads(threads);
            }
            Ok(Box::into_raw(Box::new(MkwEngine { engine, threads })))
        })
    };
    engine.unwrap_or(std::ptr::null_mut())
}

/// Frees an engine. `engine` may be NULL (nothing happens). No other thread may be using
/// the engine, and it must not be used afterwards.
///
/// # Safety
/// `engine` is NULL or an engine from `mkw_engine_open` not yet freed, used by no thread.
#[no_mangle]
pub unsafe extern "C" fn mkw_engine_free(engine: *mut MkwEngine) {
    if !engine.is_null() {
        // SAFETY: made by `Box::into_raw` in `mkw_engine_open_with_threads`, and the caller
        // guarantees it is neither freed nor in use.
        drop(unsafe { Box::from_raw(engine) });
    }
}

/// The engine behind a handle.
///
/// # Safety
/// `engine` is NULL or a live engine.
unsafe fn engine_ref<'a>(engine: *const MkwEngine) -> Result<&'a MkwEngine, MkwError> {
    // SAFETY: the caller passes NULL or a live engine, shared read-only.
    match unsafe { engine.as_ref() } {
        Some(e) => Ok(e),
        None => Err(MkwError::new(
            MkwErrorCode::NullArgument,
            "`engine` is NULL: open one with mkw_engine_open",
        )),
    }
}

/// Scores one order given as a JSON object (the DESIGN order schema; only `order_id` is
/// required, numbers may be strings).
///
/// Returns the assessment as a JSON object with the same fields as `mikiwame score`
/// (`order_id`, `score`, `band`, `alert`, `address_match`, `forwarding`, `reasons`,
/// `data_quality`, `error`); the caller frees it with `mkw_string_free`. Returns NULL on
/// error with `*error` set when `error` is not NULL: `MKW_ERROR_CODE_INVALID_INPUT` when the
/// order cannot be read (the message names the field). Thread-safe: may be called on one
/// engine from many threads at once.
///
/// # Safety
/// `engine` is NULL or a live engine; `order_json` is NULL or a NUL-terminated string;
/// `error` is NULL or points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn mkw_score_json(
    engine: *const MkwEngine,
    order_json: *const c_char,
    error: *mut *mut MkwError,
) -> *mut c_char {
    // SAFETY: `error` as the caller guarantees.
    let out = unsafe {
        boundary(error, || {
            // SAFETY: the caller passes NULL or a live engine.
            let engine = engine_ref(engine)?;
            // SAFETY: the caller passes NULL or a NUL-terminated string.
            let text = arg_str(order_json, "order_json")?;
            let order = Order::from_json(text).map_err(row_error)?;
            out_json(&engine.engine.score_one(&order))
        })
    };
    out.unwrap_or(std::ptr::null_mut())
}

fn row_error(e: RowError) -> MkwError {
    let message = if e.field.is_empty() {
        format!("order cannot be read: {}", e.message)
    } else {
        format!("order field `{}`: {}", e.field, e.message)
    };
    MkwError::new(MkwErrorCode::InvalidInput, message)
}

/// Scores a batch: `orders_jsonl` holds one JSON order per line (JSONL). Orders are scored
/// in parallel (see `mkw_engine_open_with_threads`) and linked with each other (shared
/// addresses, bursts, name series) as `mikiwame score` does.
///
/// Returns JSONL: one assessment per non-blank input line, in input order, each ending in
/// "\n" (blank lines are skipped, as by `mikiwame score`). A line that cannot be read
/// (bad JSON, a field of the wrong type, invalid UTF-8) does not fail the call: its output
/// line is `{"order_id": ..., "error": {"row": N, "field": ..., "message": ...}}` with N
/// the 1-based line number. The caller frees the result with `mkw_string_free`. Returns NULL
/// only for a NULL argument (with `*error` set when `error` is not NULL). Thread-safe.
///
/// # Safety
/// As `mkw_score_json`.
#[no_mangle]
pub unsafe extern "C" fn mkw_score_jsonl(
    engine: *const MkwEngine,
    orders_jsonl: *const c_char,
    error: *mut *mut MkwError,
) -> *mut c_char {
    // SAFETY: `error` as the caller guarantees.
    let out = unsafe {
        boundary(error, || {
            // SAFETY: the caller passes NULL or a live engine.
            let engine = engine_ref(engine)?;
            // SAFETY: the caller passes NULL or a NUL-terminated string.
            let bytes = arg_bytes(orders_jsonl, "orders_jsonl")?;
            score_jsonl(engine, bytes)
        })
    };
    out.unwrap_or(std::ptr::null_mut())
}

/// Below this many lines a batch is read on the calling thread.
const MIN_PARALLEL_LINES: usize = 64;

fn score_jsonl(handle: &MkwEngine, bytes: &[u8]) -> Result<*mut c_char, MkwError> {
    let engine = &handle.engine;
    let lines: Vec<(u64, &[u8])> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, l)| (i as u64 + 1, l))
        .collect();
    let parse = |(n, line): &(u64, &[u8])| parse_json_line(line, *n);
    // Parsing runs inside the engine's pool, never on rayon's global pool, so that an
    // engine opened with one thread starts none.
    let assessments: Vec<Assessment> = if handle.threads != 1 && lines.len() >= MIN_PARALLEL_LINES {
        engine.install(|| engine.score_rows(&lines.par_iter().map(parse).collect::<Vec<Row>>()))
    } else {
        engine.score_rows(&lines.iter().map(parse).collect::<Vec<Row>>())
    };
    let mut out = Vec::with_capacity(assessments.len() * 220);
    for a in &assessments {
        serde_json::to_writer(&mut out, a).map_err(|e| {
            MkwError::new(MkwErrorCode::Internal, format!("cannot write JSON: {e}"))
        })?;
        out.push(b'\n');
    }
    let out = String::from_utf8(out)
        .map_err(|_| MkwError::new(MkwErrorCode::Internal, "output is not UTF-8"))?;
    out_string(out)
}

/// Grades one address against the engine's index.
///
/// Returns a JSON object with the same fields as `mikiwame check`: `input`,
/// `address_match` (`level`: danger/caution/warning/none, `stars`, matched `records`) and
/// `forwarding` (`level`: service/possible/none, `service`, `signs`); the caller frees it
/// with `mkw_string_free`. Returns NULL on error with `*error` set when `error` is not NULL
/// (`MKW_ERROR_CODE_INVALID_INPUT` for an empty or unparseable address). Thread-safe.
///
/// # Safety
/// As `mkw_score_json`, with `address` in place of `order_json`.
#[no_mangle]
pub unsafe extern "C" fn mkw_check_address(
    engine: *const MkwEngine,
    address: *const c_char,
    error: *mut *mut MkwError,
) -> *mut c_char {
    // SAFETY: `error` as the caller guarantees.
    let out = unsafe {
        boundary(error, || {
            // SAFETY: the caller passes NULL or a live engine.
            let engine = engine_ref(engine)?;
            // SAFETY: the caller passes NULL or a NUL-terminated string.
            let text = arg_str(address, "address")?;
            let parsed = crate::address::parse(text)?;
            let check = engine.engine.history().check_address(&parsed);
            out_json(&serde_json::json!({
                "input": text,
                "address_match": check.address_match,
                "forwarding": check.forwarding,
            }))
        })
    };
    out.unwrap_or(std::ptr::null_mut())
}
