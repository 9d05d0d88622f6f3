//! The index of past fraud records and forwarding services.
//!
//! One file, memory-mapped: a header, the record and forwarder tables, and one `fst::Map`
//! whose binary keys are namespaced by kind. It answers, in microseconds, how close an
//! address comes to past fraud ([`Grade`]: danger, caution, warning) and whether it is a
//! forwarding service ([`ForwardingLevel`]: service, possible), and whether an email,
//! phone or card was used in past fraud.
//!
//! Build → save → open → query:
//!
//! ```
//! use mikiwame::address::Address;
//! use mikiwame::index::{ForwardingLevel, FraudRecord, Grade, Index, IndexBuilder};
//!
//! let place = |banchi, go, room: Option<&str>| Address {
//!     prefecture: Some("東京都".into()), city: Some("世田谷区".into()), town: Some("池尻".into()),
//!     chome: Some(1), banchi: Some(banchi), go: Some(go), room: room.map(String::from),
//!     ..Default::default()
//! };
//! let mut builder = IndexBuilder::new();
//! builder.add_fraud(&FraudRecord {
//!     address: Some(place(2, 3, Some("101"))),
//!     phone: Some("+819012345678".into()),
//!     recorded_at: Some("2026-05-01".into()),
//!     ..Default::default()
//! });
//! let dir = std::env::temp_dir().join(format!("mikiwame-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("fraud.mkw");
//! builder.finish(&path).unwrap();
//!
//! let index = Index::open(&path).unwrap();
//! assert_eq!(index.check(&place(2, 3, Some("101"))).address_match.level, Grade::Danger);
//! assert_eq!(index.check(&place(2, 3, Some("202"))).address_match.level, Grade::Caution);
//! assert_eq!(index.check(&place(2, 9, None)).address_match.level, Grade::Warning);
//! assert_eq!(index.check(&place(4, 3, None)).address_match.level, Grade::None);
//! assert_eq!(index.check(&place(2, 3, None)).forwarding.level, ForwardingLevel::None);
//! assert_eq!(index.known_phone("090-1234-5678").len(), 1);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! Quirks:
//! - Addresses are compared by the normalizer's keys, so the index is only as good as
//!   [`crate::address::normalize`]; keys use the locality's name hash, not gazetteer row
//!   numbers, so an index survives gazetteer updates that do not rename places.
//! - [`Index::open`] checks every byte (linear in the size); [`Index::open_unverified`] and
//!   [`Index::new`] only the header and tables (constant time). [`Index::load`] reads the
//!   file into huge pages instead of mapping it: faster random queries on a large index
//!   for one long-running process, at the cost of the file's size in private memory.
//! - The builder writes several automata over consecutive key ranges, built in parallel
//!   ([`IndexBuilder::shards`]); queries find theirs from a key's first bytes.

mod build;
mod contacts;
mod date;
mod format;
mod forwarding;
mod grade;
mod history;
mod keys;
mod localities;
mod mmap;
mod open;
mod pending;
mod prefetch;
mod query;
mod records;
mod shards;
mod table;

pub use build::{Forwarder, FraudRecord, IndexBuilder};
pub use format::FORMAT_VERSION;
pub use grade::{AddressCheck, AddressMatch, Forwarding, ForwardingLevel, Grade, MatchedRecord};
pub use open::Index;
pub use query::{CheckOptions, OldRecords};
pub use records::{
    build_from_files, read_forwarders, read_fraud, BuildInputs, BuildReport, InputFormat, Rejection,
};
pub use table::{BuildInfo, SourceFile};

#[cfg(test)]
mod tests;
