//! Latin-script addresses (romaji Japanese and Western) — minimal first version.

use super::components::Address;

/// True when the input is written in Latin script (no kana or kanji).
pub(crate) fn is_latin(s: &[char]) -> bool {
    s.iter().any(|c| c.is_ascii_alphabetic())
        && s.iter().all(|c| {
            c.is_ascii() || !c.is_alphabetic() || c.is_alphabetic() && (*c as u32) < 0x2000
        })
}

/// Parses a Latin-script address into `a`.
pub(crate) fn parse(a: &mut Address, s: &[char]) {
    let text: String = s.iter().collect();
    a.street = Some(text.to_lowercase());
}
