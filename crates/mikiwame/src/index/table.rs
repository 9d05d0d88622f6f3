//! What the index stores besides keys: the record and forwarder tables and build metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One distinct fraud record description. Records with equal descriptions share one entry,
/// so the table stays small when many records come from one source on one day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub(crate) struct RecordEntry {
    /// When the fraud was recorded, as given.
    pub(crate) recorded_at: Option<String>,
    /// The day of `recorded_at` (days since 1970-01-01), when it starts with a date.
    pub(crate) recorded_day: Option<i32>,
    /// Where the record came from.
    pub(crate) source: Option<String>,
    /// A free-text note.
    pub(crate) note: Option<String>,
}

/// One forwarding service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct ForwarderEntry {
    /// The service's name.
    pub(crate) name: String,
    /// Its address as given.
    pub(crate) address: String,
    /// A regex matching its customer codes.
    pub(crate) code_pattern: Option<String>,
}

/// One input file of a build.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceFile {
    /// The path as given on the command line (or a name given by the caller).
    pub path: String,
    /// `fraud`, `forwarders` or `base`.
    pub kind: String,
    /// Rows read.
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// The build metadata stored in an index file, as `mikiwame index info` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BuildInfo {
    /// The file's format version.
    pub format_version: u32,
    /// The version of the library that wrote it.
    pub library_version: String,
    /// When it was built, RFC 3339 UTC.
    pub built_at: String,
    /// The input files, including those of the `--base` index it was built on.
    pub sources: Vec<SourceFile>,
    /// The number of keys of each kind (`address_unit`, `forwarder_block`,
    /// `forwarder_building`, `email`, `phone`, `card`).
    pub keys: BTreeMap<String, u64>,
    /// Fraud records accepted (over this build and its bases).
    pub records: u64,
    /// Distinct record descriptions in the record table.
    pub record_entries: u64,
    /// Forwarding services.
    pub forwarders: u64,
}
