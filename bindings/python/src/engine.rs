//! `mikiwame.Engine`: an opened index, shop settings and the model, shared by every thread.

use std::path::PathBuf;

use mikiwame::engine::{Assessment, Engine};
use mikiwame::index::Index;
use mikiwame::order::{parse_json_row, Row};
use mikiwame::shop::Shop;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rayon::prelude::*;
use serde_json::Value;

use crate::{convert, errors, frame};

/// The shop settings as given, kept so that a pickled engine opens the same way.
#[derive(Debug, Clone)]
enum ShopSource {
    None,
    Settings(Value),
    File(PathBuf),
}

/// The row of `check_address`: the fields of `mikiwame check`, in its order.
#[derive(serde::Serialize)]
struct CheckRow<'a> {
    input: &'a str,
    address_match: &'a mikiwame::index::AddressMatch,
    forwarding: &'a mikiwame::index::Forwarding,
}

/// Scores orders against an index of past fraud (see `mikiwame.Engine`).
///
/// Immutable once opened (`frozen`): every method takes `&self` and the core engine is
/// `Send + Sync`, so one engine serves many Python threads; batch methods release the GIL.
#[pyclass(name = "Engine", module = "mikiwame._mikiwame", frozen, subclass)]
pub struct PyEngine {
    engine: Engine,
    index_path: Option<PathBuf>,
    shop: ShopSource,
}

impl PyEngine {
    fn open(py: Python<'_>, index_path: Option<PathBuf>, shop: ShopSource) -> PyResult<PyEngine> {
        let mut engine = Engine::new();
        if let Some(path) = &index_path {
            // Opening verifies the checksums of the whole file: no Python needed for that.
            let index = py
                .allow_threads(|| Index::open(path))
                .map_err(|e| errors::to_py(e, Some(&path.display().to_string())))?;
            engine = engine.with_history(index);
        }
        let settings = match &shop {
            ShopSource::None => None,
            ShopSource::Settings(v) => {
                Some(Shop::from_json(&v.to_string()).map_err(|e| errors::to_py(e, Some("shop")))?)
            }
            ShopSource::File(p) => {
                Some(Shop::load(p).map_err(|e| errors::to_py(e, Some(&p.display().to_string())))?)
            }
        };
        if let Some(s) = settings {
            engine = engine.with_shop(s);
        }
        Ok(PyEngine {
            engine,
            index_path,
            shop,
        })
    }

    /// Parses and scores rows of JSON values with the GIL released.
    fn score_values(&self, py: Python<'_>, values: Vec<Value>) -> Vec<Assessment> {
        let engine = &self.engine;
        let parse = |(i, v): (usize, &Value)| parse_json_row(&v.to_string(), i as u64 + 1);
        py.allow_threads(|| {
            // A handful of orders is scored on this thread: handing them to the pool
            // costs more than it saves.
            if values.len() < 64 {
                let rows: Vec<Row> = values.iter().enumerate().map(parse).collect();
                return engine.score_rows(&rows);
            }
            engine.install(|| {
                let rows: Vec<Row> = values.par_iter().enumerate().map(parse).collect();
                engine.score_rows(&rows)
            })
        })
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (index_path=None, shop=None))]
    fn new(
        py: Python<'_>,
        index_path: Option<PathBuf>,
        shop: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyEngine> {
        let shop = match shop {
            None => ShopSource::None,
            Some(s) if s.is_none() => ShopSource::None,
            Some(s) if s.is_instance_of::<PyDict>() => {
                ShopSource::Settings(convert::json_object(s, "shop")?)
            }
            Some(s) => match s.extract::<PathBuf>() {
                Ok(p) => ShopSource::File(p),
                Err(_) => {
                    return Err(errors::input(format!(
                        "shop must be a dict of settings or the path of a JSON/TOML file, got {}",
                        convert::type_name(s)
                    )))
                }
            },
        };
        PyEngine::open(py, index_path, shop)
    }

    /// The index file this engine was opened with (None: no index).
    #[getter]
    fn index_path(&self) -> Option<PathBuf> {
        self.index_path.clone()
    }

    /// Scores one order (a dict in the JSON order format); raises InputError when a field
    /// cannot be read.
    fn score<'py>(
        &self,
        py: Python<'py>,
        order: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = convert::json_object(order, "order")?;
        let mut out = self.score_values(py, vec![value]);
        let a = out.pop().unwrap_or_default();
        if let Some(e) = &a.error {
            return Err(errors::input(format!("order: {e}")));
        }
        convert::to_py(py, &a)
    }

    /// Scores a list of orders in parallel (GIL released); a row that cannot be read gives
    /// an assessment with `error` in its place.
    fn score_batch<'py>(
        &self,
        py: Python<'py>,
        orders: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut values = Vec::new();
        for (i, item) in orders
            .try_iter()
            .map_err(|_| {
                errors::input(format!(
                    "orders must be a list of dicts, got {}",
                    convert::type_name(orders)
                ))
            })?
            .enumerate()
        {
            values.push(convert::json_object(&item?, &format!("orders[{i}]"))?);
        }
        let assessments = self.score_values(py, values);
        let list = PyList::empty(py);
        for a in &assessments {
            list.append(convert::to_py(py, a)?)?;
        }
        Ok(list)
    }

    /// Scores flattened order columns (`{name: column}`, names as `mikiwame.ORDER_COLUMNS`,
    /// each a list or a tuple of Arrow string arrays), all of length `rows`; returns the
    /// output columns. Used by `Engine.score_frame`.
    fn _score_columns<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyDict>,
        rows: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let table = frame::Columns::extract(columns, rows)?;
        let engine = &self.engine;
        let mut out = frame::Output::new(py);
        // The chunks are scored on the engine's pool while this thread, holding the GIL,
        // turns the previous chunk's assessments into Python objects. That conversion is
        // serial: done after all the scoring, it left the pool's threads idle.
        std::thread::scope(|scope| -> PyResult<()> {
            let (tx, mut rx) = std::sync::mpsc::sync_channel::<Vec<Assessment>>(1);
            let table = &table;
            let scorer = scope.spawn(move || {
                engine.install(|| table.score(engine, |chunk| tx.send(chunk).is_ok()))
            });
            loop {
                // The receiver moves in and out: waiting must not hold the GIL.
                let (next, back) = py.allow_threads(move || (rx.recv(), rx));
                rx = back;
                let Ok(chunk) = next else { break };
                // On an error the receiver is dropped, and the scorer stops at its next
                // chunk.
                out.extend(&chunk)?;
            }
            match scorer.join() {
                Ok(()) => Ok(()),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })?;
        out.finish()
    }

    /// Grades one address against the index: `input`, `address_match`, `forwarding`.
    #[pyo3(signature = (address, postal_code=None))]
    fn check_address<'py>(
        &self,
        py: Python<'py>,
        address: &str,
        postal_code: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if address.trim().is_empty() {
            return Err(errors::input("address is empty: pass the address text"));
        }
        let a = mikiwame::address::normalize_with_postal_code(address, postal_code)
            .map_err(|e| errors::to_py(e, Some("address")))?;
        let check = self.engine.history().check_address(&a);
        convert::to_py(
            py,
            &CheckRow {
                input: address,
                address_match: &check.address_match,
                forwarding: &check.forwarding,
            },
        )
    }

    /// Pickles as the arguments it was opened with: unpickling opens the index again.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let shop: Bound<'py, PyAny> = match &this.shop {
            ShopSource::None => py.None().into_bound(py),
            ShopSource::Settings(v) => convert::to_py(py, v)?,
            ShopSource::File(p) => p.clone().into_pyobject(py)?.into_any(),
        };
        let index: Bound<'py, PyAny> = match &this.index_path {
            Some(p) => p.clone().into_pyobject(py)?.into_any(),
            None => py.None().into_bound(py),
        };
        let args = PyTuple::new(py, [index, shop])?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }

    fn __repr__(&self) -> String {
        match &self.index_path {
            Some(p) => format!("Engine({:?})", p.display().to_string()),
            None => "Engine(None)".into(),
        }
    }
}
