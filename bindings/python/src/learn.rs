//! `mikiwame.train` and `mikiwame.evaluate`: the `mikiwame train` / `mikiwame evaluate`
//! commands as functions returning the same reports as dicts.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use mikiwame::engine::Engine;
use mikiwame::index::Index;
use mikiwame::learn::{self, LabelledRow, TrainOptions};
use mikiwame::shop::Shop;
use pyo3::prelude::*;

use crate::{convert, errors};

fn context(path: &Path) -> String {
    path.display().to_string()
}

/// An engine from the optional index, shop settings file and model file.
fn engine(index: Option<&Path>, shop: Option<&Path>, model: Option<&Path>) -> PyResult<Engine> {
    let mut engine = Engine::new();
    if let Some(p) = index {
        engine =
            engine.with_history(Index::open(p).map_err(|e| errors::to_py(e, Some(&context(p))))?);
    }
    if let Some(p) = shop {
        engine = engine.with_shop(Shop::load(p).map_err(|e| errors::to_py(e, Some(&context(p))))?);
    }
    if let Some(p) = model {
        engine = engine
            .with_model_file(p)
            .map_err(|e| errors::to_py(e, Some(&context(p))))?;
    }
    Ok(engine)
}

/// Reads every labelled row of a JSONL or CSV file (CSV by its `.csv` extension).
fn labelled_rows(path: &Path) -> PyResult<Vec<LabelledRow>> {
    let file = File::open(path)
        .map_err(|e| errors::to_py(mikiwame::Error::io(path, e), Some(&context(path))))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows: mikiwame::Result<Vec<LabelledRow>> = if csv {
        learn::read_labelled_csv(reader)
            .map_err(|e| errors::to_py(e, Some(&context(path))))?
            .collect()
    } else {
        learn::read_labelled_jsonl(reader).collect()
    };
    rows.map_err(|e| errors::to_py(e, Some(&context(path))))
}

/// Fits the reason-code weights to labelled orders and writes the model (TOML) to `output`.
///
/// `labels` is a JSONL or CSV file of orders with `label` (1/0) or `fraud` (true/false) and
/// an optional `weight`. Returns the training report (orders, skipped rows and their errors,
/// fitted weights, iterations, log loss, codes never seen). The weights are pulled towards
/// the current model's (`model=`, else the documented priors) with strength `l2`.
#[pyfunction]
#[pyo3(signature = (labels, output, index=None, shop=None, model=None, l2=1.0))]
pub(crate) fn train<'py>(
    py: Python<'py>,
    labels: PathBuf,
    output: PathBuf,
    index: Option<PathBuf>,
    shop: Option<PathBuf>,
    model: Option<PathBuf>,
    l2: f64,
) -> PyResult<Bound<'py, PyAny>> {
    if !(l2.is_finite() && l2 >= 0.0) {
        return Err(errors::input(format!(
            "l2 must be a finite number >= 0, not {l2}"
        )));
    }
    let engine = engine(index.as_deref(), shop.as_deref(), model.as_deref())?;
    let rows = labelled_rows(&labels)?;
    let options = TrainOptions {
        l2,
        ..TrainOptions::default()
    };
    let (fitted, report) = py
        .allow_threads(|| learn::train(&options, &engine, rows))
        .map_err(|e| errors::to_py(e, Some(&context(&labels))))?;
    let text = fitted
        .to_toml()
        .map_err(|e| errors::to_py(e, Some(&context(&output))))?;
    std::fs::write(&output, text)
        .map_err(|e| errors::to_py(mikiwame::Error::io(&output, e), Some(&context(&output))))?;
    convert::to_py(py, &report)
}

/// Measures how well the scores (of `model=`, else the default priors) fit labelled orders:
/// ROC AUC, precision and recall at 10 and 50, Brier score, expected calibration error and
/// the reliability table — the report of `mikiwame evaluate --json`.
#[pyfunction]
#[pyo3(signature = (labels, index=None, shop=None, model=None))]
pub(crate) fn evaluate<'py>(
    py: Python<'py>,
    labels: PathBuf,
    index: Option<PathBuf>,
    shop: Option<PathBuf>,
    model: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let engine = engine(index.as_deref(), shop.as_deref(), model.as_deref())?;
    let rows = labelled_rows(&labels)?;
    let report = py.allow_threads(|| learn::evaluate(&engine, rows));
    convert::to_py(py, &report)
}
