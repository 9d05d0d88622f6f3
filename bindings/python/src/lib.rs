//! The `mikiwame._mikiwame` extension module: the Python face of the mikiwame core.
//!
//! The public API is the `mikiwame` package (`python/mikiwame/`), which re-exports what
//! is here and adds `Engine.score_frame`. Conversions live in `convert`, error mapping in
//! `errors`, the engine in `engine`, DataFrame columns in `frame`.

/// mimalloc for the extension's allocations (Python's own objects keep pymalloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tells the extension's mimalloc to keep freed memory for the next chunk instead of
/// returning it to the system and faulting it in again (as `mikiwame score` does; why and
/// what it saves: `keep_freed_memory` in `crates/mikiwame-cli/src/main.rs`). Only the
/// extension's own memory is concerned, at most a chunk's worth; `MIMALLOC_PURGE_DELAY`
/// in the environment still decides when it is set.
#[allow(unsafe_code)]
fn keep_freed_memory() {
    /// `mi_option_purge_delay` of mimalloc.h; the CLI's tests check the number.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option (-1: never purge) while the module is being
        // initialized, before the extension has started any thread.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    }
}

mod arrow;
mod convert;
mod engine;
mod errors;
mod frame;
mod learn;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use mikiwame::impersonation::{BrandProfile, Screener};
use mikiwame::index::{build_from_files, BuildInputs};
use pyo3::prelude::*;
use serde_json::{json, Map, Value};

/// Normalizes one address: `input`, `block_key`, `unit_key`, `components`, `anomalies`,
/// `error` (the fields of `mikiwame normalize`).
#[pyfunction]
#[pyo3(signature = (address, postal_code=None))]
fn normalize_address<'py>(
    py: Python<'py>,
    address: &str,
    postal_code: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let a = mikiwame::address::normalize_with_postal_code(address, postal_code)
        .map_err(|e| errors::to_py(e, Some("address")))?;
    convert::to_py(py, &mikiwame::address::to_json(&a))
}

/// One path or a sequence of paths.
fn paths(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<PathBuf>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(p) = obj.extract::<PathBuf>() {
        return Ok(vec![p]);
    }
    let bad = || {
        errors::input(format!(
            "{what} must be a path or a list of paths, got {}",
            convert::type_name(obj)
        ))
    };
    let mut out = Vec::new();
    for item in obj.try_iter().map_err(|_| bad())? {
        out.push(item?.extract::<PathBuf>().map_err(|_| bad())?);
    }
    Ok(out)
}

/// Builds an index file from fraud records and forwarders (CSV or JSONL), as
/// `mikiwame index build`; returns its summary with every rejected row.
#[pyfunction]
#[pyo3(signature = (output, fraud=None, forwarders=None, base=None, strict=false))]
fn build_index<'py>(
    py: Python<'py>,
    output: PathBuf,
    fraud: Option<&Bound<'py, PyAny>>,
    forwarders: Option<&Bound<'py, PyAny>>,
    base: Option<PathBuf>,
    strict: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let inputs = BuildInputs {
        fraud: paths(fraud, "fraud")?,
        forwarders: paths(forwarders, "forwarders")?,
        base,
        output: output.clone(),
        strict,
    };
    if inputs.fraud.is_empty() && inputs.forwarders.is_empty() && inputs.base.is_none() {
        return Err(errors::input(
            "build_index needs fraud=, forwarders= or base=: give the files to index",
        ));
    }
    let report = py
        .allow_threads(|| build_from_files(&inputs))
        .map_err(|e| errors::to_py(e, None))?;
    let Some(info) = report.info else {
        let first = report
            .rejections
            .first()
            .map(|r| {
                format!(
                    " (first: {} row {}, field `{}`: {})",
                    r.file, r.row, r.field, r.reason
                )
            })
            .unwrap_or_default();
        return Err(errors::input(format!(
            "{} rows rejected and strict=True: nothing written{first}; fix the rows or pass strict=False",
            report.rejections.len()
        )));
    };
    let mut summary = match serde_json::to_value(&info) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    summary.insert("output".into(), json!(output.display().to_string()));
    summary.insert("rejected".into(), json!(report.rejections.len()));
    summary.insert("rejections".into(), json!(report.rejections));
    convert::to_py(py, &Value::Object(summary))
}

/// The compiled screener of each brand, built on first use (compiling takes a while).
fn screener(brand: &str) -> PyResult<Arc<Screener>> {
    static SCREENERS: OnceLock<Mutex<HashMap<String, Arc<Screener>>>> = OnceLock::new();
    let cache = SCREENERS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(s) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(brand) {
        return Ok(Arc::clone(s));
    }
    let profile = BrandProfile::builtin(brand).map_err(|e| errors::to_py(e, Some("brand")))?;
    let s = Arc::new(Screener::new(profile).map_err(|e| errors::to_py(e, Some("brand")))?);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(brand.to_string(), Arc::clone(&s));
    Ok(s)
}

/// Screens a sender, URL, phone number and/or message text for impersonation of `brand`,
/// as `mikiwame screen`.
#[pyfunction]
#[pyo3(signature = (sender=None, url=None, phone=None, text=None, brand="amazon", region=None, authenticated=None))]
#[allow(clippy::too_many_arguments)]
fn screen<'py>(
    py: Python<'py>,
    sender: Option<&str>,
    url: Option<&str>,
    phone: Option<&str>,
    text: Option<&str>,
    brand: &str,
    region: Option<&str>,
    authenticated: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    if sender.is_none() && url.is_none() && phone.is_none() && text.is_none() {
        return Err(errors::input(
            "screen needs at least one of sender=, url=, phone=, text=",
        ));
    }
    let s = screener(brand)?;
    let mut row = Map::new();
    for (k, v) in [
        ("sender", sender),
        ("url", url),
        ("phone", phone),
        ("text", text),
        ("region", region),
    ] {
        if let Some(v) = v {
            row.insert(k.into(), json!(v));
        }
    }
    if let Some(a) = authenticated {
        row.insert("authenticated".into(), json!(a));
    }
    let row = Value::Object(row);
    let out = py.allow_threads(|| s.screen_json(&row));
    if let Some(err) = out.get("error") {
        let field = err.get("field").and_then(Value::as_str).unwrap_or("");
        let message = err.get("message").and_then(Value::as_str).unwrap_or("");
        return Err(errors::input(format!("{field}: {message}")));
    }
    convert::to_py(py, &out)
}

/// The module.
#[pymodule]
fn _mikiwame(m: &Bound<'_, PyModule>) -> PyResult<()> {
    keep_freed_memory();
    m.add_function(wrap_pyfunction!(normalize_address, m)?)?;
    m.add_function(wrap_pyfunction!(build_index, m)?)?;
    m.add_function(wrap_pyfunction!(screen, m)?)?;
    m.add_function(wrap_pyfunction!(learn::train, m)?)?;
    m.add_function(wrap_pyfunction!(learn::evaluate, m)?)?;
    m.add_class::<engine::PyEngine>()?;
    m.add("ORDER_COLUMNS", mikiwame::order::CSV_COLUMNS.to_vec())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
