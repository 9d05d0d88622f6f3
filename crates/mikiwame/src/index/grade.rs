//! What a lookup answers: the address grade and the forwarding level.

use serde::{Deserialize, Serialize};

/// How close an address comes to past fraud.
///
/// Ordered from weakest to strongest, so `max()` picks the strongest of several matches.
///
/// ```
/// use mikiwame::index::Grade;
/// assert_eq!(Grade::Danger.stars(), 3);
/// assert_eq!(Grade::Warning.as_str(), "warning");
/// assert!(Grade::Danger > Grade::Caution);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// No match.
    #[default]
    None,
    /// ★ Same town and 丁目 and the same 番 with another 号, or a 番 within the configured
    /// distance.
    Warning,
    /// ★★ Same building plot (`block_key`).
    Caution,
    /// ★★★ Same unit (`unit_key`): same plot and same floor/room or forwarding ID.
    Danger,
}

impl Grade {
    /// The number of stars: 0 to 3.
    pub fn stars(self) -> u8 {
        match self {
            Grade::None => 0,
            Grade::Warning => 1,
            Grade::Caution => 2,
            Grade::Danger => 3,
        }
    }

    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::None => "none",
            Grade::Warning => "warning",
            Grade::Caution => "caution",
            Grade::Danger => "danger",
        }
    }
}

/// Whether an address belongs to a parcel-forwarding service.
///
/// ```
/// use mikiwame::index::ForwardingLevel;
/// assert_eq!(ForwardingLevel::Possible.as_str(), "possible");
/// assert!(ForwardingLevel::Service > ForwardingLevel::Possible);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ForwardingLevel {
    /// No sign of forwarding.
    #[default]
    None,
    /// Signs of forwarding: a customer code, forwarding words, a forwarder's building or
    /// neighbouring block.
    Possible,
    /// The block of a known forwarding-service address.
    Service,
}

impl ForwardingLevel {
    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardingLevel::None => "none",
            ForwardingLevel::Possible => "possible",
            ForwardingLevel::Service => "service",
        }
    }
}

/// One past fraud record that an address matched.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MatchedRecord {
    /// When the fraud was recorded (as given in the input, ISO 8601 preferred).
    pub recorded_at: Option<String>,
    /// Where the record came from.
    pub source: Option<String>,
    /// A free-text note.
    pub note: Option<String>,
    /// The grade this record gave (after age down-weighting); `none` for contact lookups.
    #[serde(default, skip_serializing_if = "is_none_grade")]
    pub grade: Grade,
    /// True when the record is older than the configured age.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub old: bool,
}

fn is_none_grade(g: &Grade) -> bool {
    *g == Grade::None
}

/// The address half of a check: the grade and the records behind it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddressMatch {
    /// The grade.
    pub level: Grade,
    /// The grade's stars, 0 to 3 (kept in output for readers).
    pub stars: u8,
    /// The matched records (strongest grade first), possibly empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<MatchedRecord>,
}

/// The forwarding half of a check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Forwarding {
    /// The level.
    pub level: ForwardingLevel,
    /// The forwarding service's name, when a known one matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Which signs were seen (`forwarder_block`, `customer_code`, `forwarding_words`,
    /// `forwarder_building`, `forwarder_neighbour`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signs: Vec<String>,
}

/// The answer of the index for one address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddressCheck {
    /// How close the address comes to past fraud.
    pub address_match: AddressMatch,
    /// Whether it is a forwarding service.
    pub forwarding: Forwarding,
}
