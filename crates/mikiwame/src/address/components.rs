//! The parsed components of an address.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::anomaly::Anomaly;

/// Which writing system an address was parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    /// Japanese (kanji, kana, digits), the default.
    #[default]
    Japanese,
    /// Latin script: romaji Japanese or a Western address.
    Latin,
}

/// A floor number: positive above ground, negative below (B1F, 地下1階 = -1).
///
/// ```
/// use mikiwame::address::Floor;
/// assert_eq!(Floor(-1).to_string(), "B1");
/// assert_eq!(Floor(3).to_string(), "3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Floor(pub i16);

impl std::fmt::Display for Floor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 < 0 {
            write!(f, "B{}", -(self.0 as i32))
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A parsed address.
///
/// Every component is optional: a missing one means it was not written (or could not be
/// read), never a default. Numbers are plain integers, so 一丁目, 1丁目 and １－ agree.
/// Names are the gazetteer's canonical spelling when the place is known, else the input's
/// folded spelling.
///
/// ```
/// let a = mikiwame::address::normalize("北海道札幌市中央区北3条西6丁目1-2").unwrap();
/// assert_eq!(a.town.as_deref(), Some("北三条西"));
/// assert_eq!(a.chome, Some(6));
/// assert_eq!(a.banchi, Some(1));
/// assert_eq!(a.go, Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// The input as given.
    pub input: String,
    /// How the input was read.
    pub script: Script,
    /// 都道府県, with its suffix (東京都, 大阪府, 北海道, 神奈川県). Borrowed from the
    /// embedded gazetteer (no allocation per address).
    pub prefecture: Option<Cow<'static, str>>,
    /// 市区町村, with 郡 and the designated city where they apply (札幌市中央区, 西多摩郡奥多摩町).
    /// Borrowed from the gazetteer when the city is known; owned when it is the input's
    /// spelling (a name shared by several cities, with nothing to tell them apart).
    pub city: Option<Cow<'static, str>>,
    /// 町域 (大字), without 丁目 (池尻, 北三条西, 三軒茶屋).
    pub town: Option<String>,
    /// The town's reading in katakana, when the gazetteer knows it.
    pub town_kana: Option<String>,
    /// 丁目.
    pub chome: Option<u32>,
    /// 番 or 番地.
    pub banchi: Option<u32>,
    /// 号.
    pub go: Option<u32>,
    /// Further lot sub-numbers after 号 (枝番).
    pub sub_numbers: Vec<u32>,
    /// A non-numeric lot part such as 甲, 乙 or イ.
    pub lot_suffix: Option<String>,
    /// The building name, folded for display; not part of any key.
    pub building: Option<String>,
    /// The floor.
    pub floor: Option<Floor>,
    /// The room (101, A-102, 3-205 for 3号棟205号室), upper-cased ASCII.
    pub room: Option<String>,
    /// A parcel-forwarding customer ID written in the address (SR123456).
    pub forwarding_id: Option<String>,
    /// The postal code, from the input text or given separately, as 7 digits.
    pub postal_code: Option<String>,
    /// For Latin-script addresses: the street (and house number) as folded tokens.
    pub street: Option<String>,
    /// For Latin-script addresses: the country, when written.
    pub country: Option<String>,
    /// What was odd about the writing, in the order found, without duplicates.
    pub anomalies: Vec<Anomaly>,
}

impl Address {
    /// True when the address carries an anomaly typical of deliberate disguise.
    ///
    /// ```
    /// let a = mikiwame::address::normalize("東京都世田谷区東京都池尻1-1-1").unwrap();
    /// assert!(a.is_obfuscated());
    /// ```
    pub fn is_obfuscated(&self) -> bool {
        self.anomalies.iter().any(|a| a.is_obfuscation())
    }

    /// True when the address has a place (at least a city or a town) and a lot number.
    pub fn is_complete(&self) -> bool {
        (self.city.is_some() || self.town.is_some() || self.street.is_some())
            && (self.banchi.is_some() || self.chome.is_some() || self.street.is_some())
    }

    /// Adds an anomaly unless it is already there.
    pub(crate) fn flag(&mut self, anomaly: Anomaly) {
        if !self.anomalies.contains(&anomaly) {
            self.anomalies.push(anomaly);
        }
    }
}
