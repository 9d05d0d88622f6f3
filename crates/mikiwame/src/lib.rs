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
//! - [`engine`]: score orders ([`order`]) with [`signals`] and a [`score`] model into
//!   assessments with reason codes, linking orders within a batch and with a [`history`].
//!
//! ```
//! let a = mikiwame::address::normalize("東京都世田谷区東京都池尻1-1-1-101ハイツ池尻").unwrap();
//! let b = mikiwame::address::normalize("東京都世田谷区池尻1-1-1ハイツ池尻101").unwrap();
//! assert_eq!(a.unit_key(), b.unit_key());
//! assert!(a.is_obfuscated() && !b.is_obfuscated());
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]
// Tests may unwrap: a panic is how a test fails.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod address;
mod ascii;
pub mod contact;
pub mod engine;
pub mod error;
mod fnv;
pub mod history;
pub mod impersonation;
pub mod index;
pub mod learn;
pub mod order;
pub mod score;
pub mod shop;
pub mod signals;
pub mod timestamp;

pub use engine::{Assessment, Engine};
pub use error::{Error, Result};
