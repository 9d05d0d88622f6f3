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
    /// A brand profile (or a list it names) could not be used.
    #[error("brand profile {source_name}: {message}")]
    Profile {
        /// The profile file, list file or built-in name concerned.
        source_name: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The file is not a mikiwame index (its first bytes are not the index magic).
    #[error("not a mikiwame index file (wrong magic bytes): check the path, or build one with `mikiwame index build`")]
    NotAnIndex,
    /// The index file is shorter than its header says.
    #[error("index file is truncated ({got} of {expected} bytes): the copy or build was interrupted; copy it again or rebuild it with `mikiwame index build`")]
    IndexTruncated {
        /// The length the header promises, in bytes.
        expected: u64,
        /// The length found, in bytes.
        got: u64,
    },
    /// The index file's bytes do not match its checksums or cannot be decoded.
    #[error("index file is corrupted ({what}): rebuild it with `mikiwame index build`")]
    IndexCorrupted {
        /// What was found wrong.
        what: String,
    },
    /// The index file was written in another format version.
    #[error("{}", version_message(*expected, *got))]
    Version {
        /// The format version this library reads.
        expected: u32,
        /// The format version of the file.
        got: u32,
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

/// What is wrong with one row of JSONL that is not JSON, placed within the row: serde_json
/// counts lines and columns from the text it was given, and a row's line is not the
/// file's (the row's own newline made a cut row read "line 2 column 0").
///
/// ```
/// let e = serde_json::from_str::<serde_json::Value>(r#"{"a":1,,}"#).unwrap_err();
/// assert_eq!(mikiwame::error::json_row_problem(&e), "not valid JSON: key must be a string (at byte 8 of the row)");
/// let e = serde_json::from_str::<serde_json::Value>("{\"a\":\n").unwrap_err();
/// assert!(mikiwame::error::json_row_problem(&e).contains("cut short"));
/// ```
pub fn json_row_problem(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let what = full.split(" at line ").next().unwrap_or(&full);
    if e.is_eof() {
        format!("not valid JSON: {what} (the row ends too early: is it cut short?)")
    } else {
        format!("not valid JSON: {what} (at byte {} of the row)", e.column())
    }
}

fn version_message(expected: u32, got: u32) -> String {
    if got > expected {
        format!(
            "index format {got} is newer than this library ({expected}): upgrade mikiwame or rebuild the index with this version"
        )
    } else {
        format!(
            "index format {got} is older than this library ({expected}): rebuild the index with `mikiwame index build`"
        )
    }
}
