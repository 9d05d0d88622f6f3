//! Impersonation screening: is this sender, URL, phone number or message the brand, a
//! lookalike of it, or a known scam?
//!
//! A [`BrandProfile`] names the brand's keywords, official domains and numbers, and its
//! blocklists; one for Amazon is built in. A [`Screener`] compiles a profile once and then
//! screens:
//!
//! - senders and URLs: [`Verdict`] `official` / `lookalike` / `blocklisted` / `unknown`
//!   with [`Reason`]s (keyword in a label, UTS 39 confusables, Damerau distance 1-2 by
//!   precompiled Levenshtein automata, an official domain as left labels, user-info and
//!   path tricks, free-mail senders, failed DMARC);
//! - phone numbers: exact official or blocklist matches, with the line type as a hint;
//! - messages in ja, en, fr and zh: cues from per-language lexicons, URLs and numbers
//!   found in the text, a score and a [`TextVerdict`].
//!
//! ```
//! use mikiwame::impersonation::{BrandProfile, Screener, TextVerdict, Verdict};
//!
//! let screener = Screener::new(BrandProfile::builtin("amazon")?)?;
//! assert_eq!(screener.screen_url("https://www.amazon.co.jp/dp/B000").verdict, Verdict::Official);
//! assert_eq!(screener.screen_url("https://xn--mazon-3ve.co.jp/").verdict, Verdict::Lookalike);
//! assert_eq!(screener.screen_url(r"https://evil.example\@amazon.co.jp").verdict, Verdict::Lookalike);
//! let msg = screener.screen_text("Amazonサポートです。遠隔操作のためAnyDeskをインストールし、返金手続きを行ってください。");
//! assert_eq!(msg.verdict, TextVerdict::Scam);
//! # Ok::<(), mikiwame::Error>(())
//! ```

pub mod domain;
mod phone;
mod profile;
mod screener;
mod sender;
pub mod text;
mod url;
mod verdict;

pub use profile::{Blocklist, BrandProfile};
pub use screener::{Screener, SCREEN_FIELDS};
pub use sender::{decode_rfc2047, parse_sender, Sender};
pub use verdict::{Assessment, Cue, PhoneAssessment, Reason, TextAssessment, TextVerdict, Verdict};
