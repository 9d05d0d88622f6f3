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
mod components;
pub mod fold;
pub mod gazetteer;
mod keys;
mod latin;
pub mod numerals;
mod parse;

pub use anomaly::Anomaly;
pub use components::{Address, Floor, Script};
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
