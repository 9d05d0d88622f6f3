//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in mikiwame.
///
/// Each message says what happened and what to do about it.
///
/// ```
/// let err = mikiwame::Error::InputTooLong { len: 5000, max: 4096 };
/// assert!(err.to_string().contains("4096"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input string is longer than the library accepts.
    #[error("input is {len} bytes, longer than the {max} bytes accepted: shorten it or split it")]
    InputTooLong {
        /// The length of the input in bytes.
        len: usize,
        /// The largest accepted length in bytes.
        max: usize,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Input data did not have the expected shape.
    #[error("row {row}, field `{field}`: {message}")]
    Input {
        /// The 1-based row (line or record) number.
        row: u64,
        /// The field concerned.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Shop settings could not be used.
    #[error("shop settings: {message}")]
    Shop {
        /// What is wrong, and what to change.
        message: String,
    },
    /// A scoring model file could not be used.
    #[error("scoring model: {message}")]
    Model {
        /// What is wrong, and what to change.
        message: String,
    },
    /// A scoring model was written in a format this library does not read.
    #[error("scoring model format {got} is not supported (this library reads format {expected}): upgrade mikiwame or write the model again with this version")]
    ModelVersion {
        /// The format version this library reads.
        expected: u32,
        /// The format version found in the file.
        got: u32,
    },
}

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
