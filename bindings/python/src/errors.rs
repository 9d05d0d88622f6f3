//! Rust errors to Python exceptions.
//!
//! The exception classes live in Python (`mikiwame/exceptions.py`) so that users can
//! subclass and document them; Rust raises them by name. I/O errors become the built-in
//! `FileNotFoundError` / `OSError`, so that `except FileNotFoundError` works as usual.

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError};
use pyo3::prelude::*;

/// The exception classes of `mikiwame.exceptions`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// `MikiwameError`: anything without a more precise class.
    Base,
    /// `IndexFormatError`: a corrupted, foreign, truncated or newer index file.
    IndexFormat,
    /// `InputError` (also a `ValueError`): unusable input from the caller.
    Input,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Kind::Base => "MikiwameError",
            Kind::IndexFormat => "IndexFormatError",
            Kind::Input => "InputError",
        }
    }
}

/// A Python exception of class `kind` with `message`.
pub(crate) fn raise(kind: Kind, message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::with_gil(|py| {
        let class = py
            .import("mikiwame.exceptions")
            .and_then(|m| m.getattr(kind.class_name()));
        match class.and_then(|c| c.call1((message.clone(),))) {
            Ok(instance) => PyErr::from_value(instance),
            // Only when the package is broken (the module imported without its Python
            // half): still raise, with the message.
            Err(_) => PyRuntimeError::new_err(message),
        }
    })
}

/// An `InputError`.
pub(crate) fn input(message: impl Into<String>) -> PyErr {
    raise(Kind::Input, message)
}

/// Maps a library error. `context` (a path, an argument name) prefixes the message of
/// errors that do not name it themselves.
pub(crate) fn to_py(e: mikiwame::Error, context: Option<&str>) -> PyErr {
    use mikiwame::Error as E;
    let prefixed = |e: &E| match context {
        Some(c) => format!("{c}: {e}"),
        None => e.to_string(),
    };
    match &e {
        E::Io { path, source } => {
            let errno = source.raw_os_error().unwrap_or(0);
            let filename = path.display().to_string();
            let text = format!("{source}: check the path and the file's permissions");
            if source.kind() == std::io::ErrorKind::NotFound {
                PyFileNotFoundError::new_err((if errno == 0 { 2 } else { errno }, text, filename))
            } else {
                PyOSError::new_err((errno, text, filename))
            }
        }
        E::NotAnIndex | E::IndexTruncated { .. } | E::IndexCorrupted { .. } | E::Version { .. } => {
            raise(Kind::IndexFormat, prefixed(&e))
        }
        E::Input { .. }
        | E::InputTooLong { .. }
        | E::Shop { .. }
        | E::Model { .. }
        | E::ModelVersion { .. }
        | E::Profile { .. } => raise(Kind::Input, prefixed(&e)),
        _ => raise(Kind::Base, prefixed(&e)),
    }
}
