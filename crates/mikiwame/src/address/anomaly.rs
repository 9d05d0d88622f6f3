//! Anomaly codes: what was odd about how an address was written.

use serde::{Deserialize, Serialize};

/// Something odd about how an address was written.
///
/// Some anomalies are plain sloppiness; those for which [`Anomaly::is_obfuscation`] is true
/// are typical of addresses written to slip past a blocklist, and count as a risk.
///
/// ```
/// use mikiwame::address::Anomaly;
/// assert_eq!(Anomaly::PrefectureRepeated.as_str(), "prefecture_repeated");
/// assert!(Anomaly::PrefectureRepeated.is_obfuscation());
/// assert!(!Anomaly::MixedSeparators.is_obfuscation());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Anomaly {
    /// The prefecture is written more than once (東京都世田谷区東京都…).
    PrefectureRepeated,
    /// The city or ward is written more than once.
    CityRepeated,
    /// The town is written more than once (池尻池尻1-2-3).
    TownRepeated,
    /// The room, floor or building stands somewhere other than after the lot number.
    UnitMisplaced,
    /// Lot numbers mix notations (丁目 with hyphens, の with 番).
    MixedSeparators,
    /// The city does not lie in the prefecture written.
    CityNotInPrefecture,
    /// A given postal code does not belong to the parsed town or city.
    PostalCodeMismatch,
    /// A postal code is glued into the address text.
    PostalCodeInText,
    /// A phone number is glued into the address text.
    PhoneInText,
    /// A care-of marker (様方, 気付, c/o) names someone else as the receiver.
    CareOf,
    /// The city name exists in several prefectures and none was given (府中市, 伊達市, 北区).
    AmbiguousCity,
    /// The town is not in the gazetteer; it was kept as written.
    UnknownTown,
    /// No lot number (番地) was found.
    NoLotNumber,
    /// Nothing usable could be read from the input.
    Unparsed,
}

impl Anomaly {
    /// The stable snake_case name used in output and documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            Anomaly::PrefectureRepeated => "prefecture_repeated",
            Anomaly::CityRepeated => "city_repeated",
            Anomaly::TownRepeated => "town_repeated",
            Anomaly::UnitMisplaced => "unit_misplaced",
            Anomaly::MixedSeparators => "mixed_separators",
            Anomaly::CityNotInPrefecture => "city_not_in_prefecture",
            Anomaly::PostalCodeMismatch => "postal_code_mismatch",
            Anomaly::PostalCodeInText => "postal_code_in_text",
            Anomaly::PhoneInText => "phone_in_text",
            Anomaly::CareOf => "care_of",
            Anomaly::AmbiguousCity => "ambiguous_city",
            Anomaly::UnknownTown => "unknown_town",
            Anomaly::NoLotNumber => "no_lot_number",
            Anomaly::Unparsed => "unparsed",
        }
    }

    /// True for anomalies typical of deliberately disguised addresses.
    pub fn is_obfuscation(self) -> bool {
        matches!(
            self,
            Anomaly::PrefectureRepeated
                | Anomaly::CityRepeated
                | Anomaly::TownRepeated
                | Anomaly::UnitMisplaced
                | Anomaly::PhoneInText
                | Anomaly::CareOf
        )
    }
}

impl std::fmt::Display for Anomaly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
