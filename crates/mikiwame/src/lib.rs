//! # mikiwame (見極め, "seeing through")
//!
//! Fraud screening for online shops and the payment services behind them.
//!
//! - [`address`]: normalize Japanese and Latin-script shipping addresses into keys that are
//!   equal for every notation of one place, and flag deliberate obfuscation.
//! - [`impersonation`]: tell official senders, URLs and phone numbers of a brand from
//!   lookalikes and blocklisted ones, and score scam messages in ja, en, fr and zh.
//! - [`index`]: a memory-mapped index of past fraud records and forwarding services that
//!   grades an address (danger / caution / warning) and spots forwarders.
//!
//! ```
//! let a = mikiwame::address::normalize("東京都世田谷区東京都池尻1-1-1-101ハイツ池尻").unwrap();
//! let b = mikiwame::address::normalize("東京都世田谷区池尻1-1-1ハイツ池尻101").unwrap();
//! assert_eq!(a.unit_key(), b.unit_key());
//! assert!(a.is_obfuscated() && !b.is_obfuscated());
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod contact;
pub mod error;
pub mod impersonation;
pub mod index;

pub use error::{Error, Result};
