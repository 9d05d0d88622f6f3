//! Shipping addresses: folding, parsing and the keys that identify a place.
//!
//! [`normalize`] turns a free-text address (Japanese first, Latin script second) into an
//! [`Address`]: its components, the anomalies found on the way, and two keys —
//! [`BlockKey`] (the building's plot) and [`UnitKey`] (the plot plus floor and room, or the
//! forwarding customer ID). Every notation of one place gives the same keys.
//!
//! ```
//! use mikiwame::address::normalize;
//!
//! let a = normalize("東京都世田谷区池尻一丁目２番３号　ハイツ池尻１０１号室").unwrap();
//! let b = normalize("世田谷区池尻1-2-3-101 ハイツ池尻").unwrap();
//! assert_eq!(a.block_key(), b.block_key());
//! assert_eq!(a.unit_key(), b.unit_key());
//! assert_eq!(a.room.as_deref(), Some("101"));
//! ```

mod anomaly;
pub(crate) mod charset;
mod components;
pub mod fold;
pub mod gazetteer;
mod keys;
mod latin;
pub mod numerals;
mod parse;

pub use anomaly::Anomaly;
pub use components::{Address, Floor, Script};
pub(crate) use keys::LocalityHasher;
pub use keys::{BlockKey, UnitKey};

use crate::error::{Error, Result};

/// The longest address accepted, in bytes. Longer inputs are refused with
/// [`Error::InputTooLong`] so that no input can make parsing slow.
pub const MAX_ADDRESS_BYTES: usize = 4096;

/// Parses a free-text address.
///
/// Never panics. Empty or unreadable input gives an [`Address`] with the
/// [`Anomaly::Unparsed`] anomaly; only input longer than [`MAX_ADDRESS_BYTES`] is an error.
///
/// ```
/// let a = mikiwame::address::normalize("東京都世田谷区東京都池尻1-1-1-101ハイツ池尻").unwrap();
/// assert!(a.anomalies.contains(&mikiwame::address::Anomaly::PrefectureRepeated));
/// assert_eq!(a.room.as_deref(), Some("101"));
/// ```
pub fn normalize(input: &str) -> Result<Address> {
    normalize_with_postal_code(input, None)
}

/// Parses a free-text address and checks it against a separately given postal code.
///
/// The postal code fills in an omitted prefecture or city, and a code that does not belong
/// to the parsed town or city adds [`Anomaly::PostalCodeMismatch`].
///
/// ```
/// use mikiwame::address::{normalize_with_postal_code, Anomaly};
///
/// let a = normalize_with_postal_code("池尻1-2-3", Some("154-0001")).unwrap();
/// assert_eq!(a.city.as_deref(), Some("世田谷区"));
/// let b = normalize_with_postal_code("東京都世田谷区池尻1-2-3", Some("060-0042")).unwrap();
/// assert!(b.anomalies.contains(&Anomaly::PostalCodeMismatch));
/// ```
pub fn normalize_with_postal_code(input: &str, postal_code: Option<&str>) -> Result<Address> {
    if input.len() > MAX_ADDRESS_BYTES {
        return Err(Error::InputTooLong {
            len: input.len(),
            max: MAX_ADDRESS_BYTES,
        });
    }
    Ok(parse::parse(input, postal_code))
}

/// The output row of `mikiwame normalize` (and the bindings' `normalize_address`):
/// `input`, `block_key`, `unit_key`, `components`, `anomalies`, `error` (null).
///
/// ```
/// let a = mikiwame::address::normalize("東京都世田谷区池尻1-2-3").unwrap();
/// let v = mikiwame::address::to_json(&a);
/// assert_eq!(v["components"]["chome"], 1);
/// assert_eq!(v["block_key"], "東京都世田谷区池尻|c1|b2|g3");
/// ```
pub fn to_json(a: &Address) -> serde_json::Value {
    serde_json::json!({
        "input": a.input,
        "block_key": a.block_key(),
        "unit_key": a.unit_key(),
        "components": {
            "script": a.script,
            "postal_code": a.postal_code,
            "prefecture": a.prefecture,
            "city": a.city,
            "town": a.town,
            "town_kana": a.town_kana,
            "chome": a.chome,
            "banchi": a.banchi,
            "go": a.go,
            "sub_numbers": a.sub_numbers,
            "lot_suffix": a.lot_suffix,
            "building": a.building,
            "floor": a.floor,
            "room": a.room,
            "forwarding_id": a.forwarding_id,
            "street": a.street,
            "country": a.country,
        },
        "anomalies": a.anomalies,
        "obfuscated": a.is_obfuscated(),
        "error": null,
    })
}
