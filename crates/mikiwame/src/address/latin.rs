//! Latin-script addresses: romaji Japanese ("1-2-3 Ikejiri, Setagaya-ku, Tokyo") and
//! Western ones ("Apt 4B, 123 Main St., Springfield").
//!
//! In the spirit of libpostal's dictionaries, but with one deterministic key: accents and
//! case are folded, punctuation dropped, street and unit designators expanded to one
//! spelling (St/St./Street → street, Ste/Suite → the room), floors read (2F, 2nd Floor,
//! Fl 2), Japanese designators (chome, ku, shi, cho, machi, gun, ken, to, fu) dropped, and
//! the remaining place words sorted, since either order is common in romaji addresses.

use unicode_normalization::UnicodeNormalization;

use super::anomaly::Anomaly;
use super::components::{Address, Floor};

/// True when the input is written in Latin script (no kana or kanji).
pub(crate) fn is_latin(s: &[char]) -> bool {
    s.iter().any(char::is_ascii_alphabetic)
        && !s.iter().any(|c| {
            matches!(*c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
        })
}

/// Street-type and direction words, folded to one spelling (libpostal-style dictionary).
const EXPANSIONS: &[(&str, &str)] = &[
    ("st", "street"),
    ("str", "street"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("rd", "road"),
    ("blvd", "boulevard"),
    ("bd", "boulevard"),
    ("dr", "drive"),
    ("ln", "lane"),
    ("ct", "court"),
    ("pl", "place"),
    ("sq", "square"),
    ("hwy", "highway"),
    ("pkwy", "parkway"),
    ("ter", "terrace"),
    ("n", "north"),
    ("s", "south"),
    ("e", "east"),
    ("w", "west"),
    ("ne", "northeast"),
    ("nw", "northwest"),
    ("se", "southeast"),
    ("sw", "southwest"),
    ("mt", "mount"),
    ("bldg", "building"),
];

/// Unit designators followed by the unit's number.
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "rm",
    "room",
    "no",
    "flat",
    "#",
    "app",
    "appt",
];

/// Japanese administrative designators, dropped from the key.
const JA_DESIGNATORS: &[&str] = &[
    "chome", "ku", "shi", "cho", "machi", "gun", "ken", "to", "fu", "mura", "son", "japan", "nihon",
];

/// Parses a Latin-script address into `a`.
pub(crate) fn parse(a: &mut Address, s: &[char]) {
    // Fold: accents off, lower case, punctuation to spaces (hyphens kept between digits).
    let text: String = s
        .iter()
        .collect::<String>()
        .nfkd()
        .filter(|c| !is_mark(*c))
        .collect();
    let text = text.to_lowercase();
    let chars: Vec<char> = text.chars().collect();
    let mut clean = String::with_capacity(chars.len());
    for (i, c) in chars.iter().enumerate() {
        let keep_hyphen = *c == '-'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_alphanumeric() || keep_hyphen || *c == '#' {
            clean.push(*c);
        } else {
            clean.push(' ');
        }
    }
    // Split "#101" and "-ku" style suffixes into tokens.
    let mut tokens: Vec<String> = Vec::new();
    for t in clean.split_whitespace() {
        if let Some(rest) = t.strip_prefix('#') {
            tokens.push("#".to_string());
            if !rest.is_empty() {
                tokens.push(rest.to_string());
            }
        } else {
            tokens.push(t.to_string());
        }
    }
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        let next = tokens.get(i + 1).map(String::as_str);
        // Units: apt 4b, suite 200, # 101, no 101.
        if UNIT_WORDS.contains(&t) {
            if let Some(n) = next.filter(|n| n.chars().any(|c| c.is_ascii_digit()) || n.len() == 1)
            {
                a.room = Some(n.to_ascii_uppercase());
                i += 2;
                continue;
            }
        }
        // Floors: 2f, 2nd floor, floor 2, fl 2, 2fl.
        if let Some(f) = floor_token(t, next) {
            if a.floor.is_none() {
                a.floor = Some(Floor(f.0));
            }
            i += f.1;
            continue;
        }
        if (t == "floor" || t == "fl") && next.is_some_and(|n| n.parse::<i16>().is_ok()) {
            a.floor = next.and_then(|n| n.parse().ok()).map(Floor);
            i += 2;
            continue;
        }
        // 1 chome / chome 1 / 1-chome are all "1" next to the other lot numbers.
        if JA_DESIGNATORS.contains(&t) {
            i += 1;
            continue;
        }
        let expanded = EXPANSIONS
            .iter()
            .find(|(short, _)| *short == t)
            .map(|(_, long)| (*long).to_string())
            .unwrap_or_else(|| t.to_string());
        words.push(expanded);
        i += 1;
    }
    // Numbers: the first run of adjacent numeric tokens is the lot (1 chome 2-3 reads
    // 1-2-3); a postcode-like number (5+ digits, or 3-4) is the postal code; a later lone
    // number is the room.
    let mut lot: Vec<String> = Vec::new();
    let mut place: Vec<String> = Vec::new();
    let mut lot_done = false;
    let mut last_numeric = false;
    for w in words {
        let numeric = w.chars().all(|c| c.is_ascii_digit() || c == '-');
        if !numeric {
            place.push(w);
            if !lot.is_empty() {
                lot_done = true;
            }
            last_numeric = false;
            continue;
        }
        let digits: String = w.chars().filter(char::is_ascii_digit).collect();
        let postal_shape = digits.len() >= 5
            || (w.len() == 8 && w.as_bytes().get(3) == Some(&b'-') && digits.len() == 7);
        if postal_shape {
            if a.postal_code.is_none() {
                a.postal_code = Some(digits);
            }
            continue;
        }
        if !lot_done || last_numeric {
            lot.extend(
                w.split('-')
                    .filter(|p| !p.is_empty())
                    .map(|p| p.trim_start_matches('0').to_string()),
            );
        } else if a.room.is_none() {
            a.room = Some(w.clone());
        }
        last_numeric = true;
    }
    place.sort();
    place.dedup();
    if place.is_empty() && lot.is_empty() {
        a.flag(Anomaly::Unparsed);
        return;
    }
    let mut street = place.join(" ");
    if !lot.is_empty() {
        if !street.is_empty() {
            street.push(' ');
        }
        street.push_str(&lot.join("-"));
    }
    a.street = Some(street);
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

/// `2f`, `2fl`, `b1f`, `2nd floor`, `3rd fl`: (floor, tokens used).
fn floor_token(t: &str, next: Option<&str>) -> Option<(i16, usize)> {
    let (neg, body) = match t.strip_prefix('b') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => (true, rest),
        _ => (false, t),
    };
    let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = &body[digits.len()..];
    let n: i16 = digits.parse().ok()?;
    let n = if neg { -n } else { n };
    if rest == "f" || rest == "fl" {
        return Some((n, 1));
    }
    if matches!(rest, "st" | "nd" | "rd" | "th") && matches!(next, Some("floor" | "fl")) {
        return Some((n, 2));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::normalize;

    fn unit(s: &str) -> String {
        normalize(s).unwrap().unit_key().to_string()
    }

    #[test]
    fn western_variants_agree() {
        let k = unit("123 Main Street, Apt 4B, Springfield");
        assert_eq!(unit("Apt. 4b 123 MAIN ST Springfield"), k);
        assert_eq!(unit("123 Main St., #4B, Springfield"), k);
        assert_ne!(unit("124 Main Street, Apt 4B, Springfield"), k);
        assert_ne!(unit("123 Main Street, Apt 4C, Springfield"), k);
    }

    #[test]
    fn romaji_variants_agree() {
        let k = unit("1-2-3 Ikejiri, Setagaya-ku, Tokyo 101");
        assert_eq!(unit("Tokyo-to Setagaya Ku Ikejiri 1-chome 2-3 #101"), k);
        assert_ne!(unit("1-2-4 Ikejiri, Setagaya-ku, Tokyo 101"), k);
    }

    #[test]
    fn accents_and_floors() {
        assert_eq!(
            unit("12 Rue de l'Église, 2nd Floor"),
            unit("12 rue de l eglise 2F")
        );
    }
}
