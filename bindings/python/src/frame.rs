//! `Engine.score_frame`: flattened order columns in, output columns out.
//!
//! The Python side hands over each known column either as Arrow string arrays (read in
//! place, see [`crate::arrow`]) or, for other types, as a list (`Series.tolist()` or
//! `pyarrow.ChunkedArray.to_pylist()`, both done in C); list cells are read here, rows are
//! built and scored in parallel with the GIL released, and the result goes back as one
//! list per output column. No Python code runs per row.

use mikiwame::engine::{Assessment, Evaluations, ASSESSMENT_COLUMNS};
use mikiwame::order::CsvColumns;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::arrow::ArrowStrings;
use crate::errors;

/// The input columns, read into Rust.
pub(crate) struct Columns {
    header: CsvColumns,
    cells: Vec<Cells>,
    rows: usize,
}

/// One input column.
enum Cells {
    /// Read from a list, a `String` per cell.
    Listed(Vec<Option<String>>),
    /// Arrow string arrays, read in place.
    Arrow(ArrowStrings),
}

impl Cells {
    fn get(&self, row: usize) -> Option<&str> {
        match self {
            Cells::Listed(v) => v.get(row)?.as_deref(),
            Cells::Arrow(a) => a.get(row),
        }
    }
}

impl Columns {
    /// Reads `{name: column}`, where a column is a list of cells or a tuple of Arrow
    /// string arrays (`utf8` or `large_utf8`, its chunks in order); every column must have
    /// `rows` cells. Names are the flattened order columns (see
    /// `mikiwame::order::CSV_COLUMNS`); others are ignored by the order reader.
    pub(crate) fn extract(columns: &Bound<'_, PyDict>, rows: usize) -> PyResult<Columns> {
        let mut names = Vec::with_capacity(columns.len());
        let mut cells = Vec::with_capacity(columns.len());
        for (name, values) in columns.iter() {
            let name: String = name
                .extract()
                .map_err(|_| errors::input("column names must be strings"))?;
            let (col, len) = if let Ok(list) = values.downcast::<PyList>() {
                let mut col = Vec::with_capacity(list.len());
                for cell in list.iter() {
                    col.push(text(&cell)?);
                }
                (Cells::Listed(col), list.len())
            } else if values.is_instance_of::<PyTuple>() {
                let arrow = ArrowStrings::read(&values, &name)?;
                let len = arrow.len();
                (Cells::Arrow(arrow), len)
            } else {
                return Err(errors::input(format!(
                    "column `{name}` must be given as a list or a tuple of Arrow string arrays"
                )));
            };
            if len != rows {
                return Err(errors::input(format!(
                    "column `{name}` has {len} cells, expected {rows}: all columns must have the same length"
                )));
            }
            names.push(name);
            cells.push(col);
        }
        let header = CsvColumns::from_header(names.iter().map(String::as_str)).map_err(|_| {
            errors::input(
                "the frame has no `order_id` column: add one (the columns are the flattened order fields, see mikiwame.ORDER_COLUMNS)",
            )
        })?;
        Ok(Columns {
            header,
            cells,
            rows,
        })
    }

    /// Builds the orders and scores them, handing each chunk's assessments to `emit` in
    /// order; stops early when `emit` returns false. Call inside the engine's pool,
    /// without the GIL. Row numbers in errors are 1-based positions in the frame.
    ///
    /// Rows are scored in chunks of [`CHUNK`] and linked within each, as `mikiwame score`
    /// does; a chunk's orders are built and evaluated [`PART`] rows at a time and dropped,
    /// so that only the chunk's evaluations are kept until it is linked, and the working
    /// memory of a part (orders, signals) is reused by the next instead of a whole
    /// frame's or chunk's worth being allocated, faulted in and freed at once.
    pub(crate) fn score(
        &self,
        engine: &mikiwame::Engine,
        mut emit: impl FnMut(Vec<Assessment>) -> bool,
    ) {
        for start in (0..self.rows).step_by(CHUNK) {
            let end = (start + CHUNK).min(self.rows);
            let mut window = Evaluations::with_capacity(end - start);
            for part in (start..end).step_by(PART) {
                // Each row is built, evaluated and dropped in one step on one thread.
                let positions: Vec<usize> = (part..(part + PART).min(end)).collect();
                engine.evaluate_each(
                    &positions,
                    |&i| {
                        self.header
                            .order_from(|c| self.cells.get(c)?.get(i), i as u64 + 1)
                    },
                    &mut window,
                );
            }
            if !emit(engine.assess(window)) {
                return;
            }
        }
    }
}

/// Rows built and evaluated at a time within a chunk (as `mikiwame score` reads them).
const PART: usize = 4096;

/// Rows scored (and linked) together: the default `--chunk-size` of `mikiwame score`.
const CHUNK: usize = 65_536;

/// One cell as text: None, NaN, `pandas.NA` and `NaT` are missing; numbers are written
/// without a trailing `.0` (a card BIN in a float column stays `411111`); dates and times
/// use `isoformat()`.
fn text(cell: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if cell.is_none() {
        return Ok(None);
    }
    if let Ok(s) = cell.downcast::<PyString>() {
        return Ok(Some(s.to_str()?.to_string()));
    }
    if cell.is_instance_of::<PyBool>() {
        return Ok(Some(cell.is_truthy()?.to_string()));
    }
    if cell.is_instance_of::<PyInt>() {
        return Ok(Some(cell.str()?.to_str()?.to_string()));
    }
    if let Ok(f) = cell.downcast::<PyFloat>() {
        let v = f.value();
        if v.is_nan() {
            return Ok(None);
        }
        if v.fract() == 0.0 && v.abs() < 1e15 {
            return Ok(Some(format!("{}", v as i64)));
        }
        return Ok(Some(v.to_string()));
    }
    let type_name = cell.get_type().name()?;
    let type_name = type_name.to_str()?;
    if type_name == "NAType" || type_name == "NaTType" {
        return Ok(None);
    }
    if cell.hasattr("isoformat")? {
        return Ok(Some(
            cell.call_method0("isoformat")?.str()?.to_str()?.to_string(),
        ));
    }
    Ok(Some(cell.str()?.to_str()?.to_string()))
}

/// The output columns, in order: an assessment's (`order_id`, `score`, `band`, `alert`,
/// `address_match`, `stars`, `forwarding`, `reasons` with the codes most points first,
/// `data_quality`), then `error` (None, or the message of an unreadable row, whose other
/// columns are then None or empty).
fn output_columns() -> impl Iterator<Item = &'static str> {
    ASSESSMENT_COLUMNS.into_iter().chain(["error"])
}

/// The output columns as Python lists, filled chunk by chunk (see [`output_columns`]).
pub(crate) struct Output<'py> {
    columns: [Bound<'py, PyList>; 10],
    /// The codes are a few dozen stable names: one Python string each, shared by every
    /// row, instead of a new string per cell.
    names: std::collections::HashMap<&'static str, Bound<'py, PyString>>,
}

impl<'py> Output<'py> {
    pub(crate) fn new(py: Python<'py>) -> Self {
        Output {
            columns: std::array::from_fn(|_| PyList::empty(py)),
            names: std::collections::HashMap::new(),
        }
    }

    /// Appends one row per assessment.
    pub(crate) fn extend(&mut self, rows: &[Assessment]) -> PyResult<()> {
        let [order_id, score, band, alert, address_match, stars, forwarding, reasons, quality, error] =
            &self.columns;
        let py = order_id.py();
        let names = &mut self.names;
        let mut name = |s: &'static str| {
            names
                .entry(s)
                .or_insert_with(|| PyString::intern(py, s))
                .clone()
        };
        for a in rows {
            let ok = a.error.is_none();
            order_id.append(a.order_id.as_deref())?;
            score.append(ok.then_some(a.score))?;
            band.append(ok.then(|| name(a.band.as_str())))?;
            alert.append(ok.then_some(a.alert))?;
            address_match.append(ok.then(|| name(a.address_match.level.as_str())))?;
            stars.append(ok.then_some(a.address_match.stars))?;
            forwarding.append(ok.then(|| name(a.forwarding.level.as_str())))?;
            reasons.append(PyList::new(
                py,
                a.reasons.iter().map(|r| name(r.code.as_str())),
            )?)?;
            quality.append(PyList::new(
                py,
                a.data_quality.iter().map(|d| name(d.as_str())),
            )?)?;
            error.append(a.error.as_ref().map(|e| e.to_string()))?;
        }
        Ok(())
    }

    /// `{column: list}`.
    pub(crate) fn finish(self) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(self.columns[0].py());
        for (name, list) in output_columns().zip(self.columns) {
            out.set_item(name, list)?;
        }
        Ok(out)
    }
}
