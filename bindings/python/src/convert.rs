//! Python values to and from the library's serde types.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Serialize;
use serde_json::Value;

use crate::errors;

/// A Python mapping of JSON-like values (str, int, float, bool, None, list, dict) as JSON.
/// `what` names the argument in the error message.
pub(crate) fn json_object(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(errors::input(format!(
            "{what} must be a dict, got {}: pass one order as a dict of its fields",
            type_name(obj)
        )));
    }
    pythonize::depythonize::<Value>(obj).map_err(|e| {
        errors::input(format!(
            "{what} holds a value that is not JSON-like ({e}): use str, int, float, bool, None, list and dict"
        ))
    })
}

/// Any serializable value as Python objects (dicts, lists, str, int, float, bool, None).
pub(crate) fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| {
        errors::raise(
            errors::Kind::Base,
            format!("cannot convert the result: {e}"),
        )
    })
}

/// The Python type name of `obj`, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}
