//! Impersonation screening.
pub mod domain;
mod profile;
mod verdict;
pub use profile::{BrandProfile, Blocklist};
pub use verdict::*;
