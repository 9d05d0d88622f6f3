//! The index of past fraud records and forwarding services.
//!
//! This module holds the types that the index answers with ([`Grade`], [`ForwardingLevel`],
//! [`AddressCheck`]); the builder, the file format and the queries live in its submodules.

mod grade;

pub use grade::{AddressCheck, AddressMatch, Forwarding, ForwardingLevel, Grade, MatchedRecord};
