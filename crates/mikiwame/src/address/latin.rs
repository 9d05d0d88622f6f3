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

/// Whether `rest` (the tokens after a word) ends the address: nothing, commas, or a
/// postcode-like number.
fn ends_address(rest: &[String]) -> bool {
    rest.iter()
        .all(|t| t == PART_BREAK || t.chars().all(|c| c.is_ascii_digit() || c == '-'))
}

/// Whether `rest` starts with a comma or is empty: the word before it ends its part.
fn ends_part(rest: &[String]) -> bool {
    rest.first().is_none_or(|t| t == PART_BREAK)
}

/// Country names, dropped from the key: written or left out at will, a country must not
/// make two notations of one address differ (12 Baker Street, London, United Kingdom).
const COUNTRIES: &[&str] = &[
    "uk",
    "gb",
    "england",
    "scotland",
    "wales",
    "usa",
    "america",
    "france",
    "germany",
    "deutschland",
    "australia",
    "canada",
    "ireland",
    "italy",
    "italia",
    "spain",
    "espana",
    "netherlands",
    "nederland",
    "belgium",
    "belgique",
    "switzerland",
    "schweiz",
    "suisse",
    "austria",
    "osterreich",
    "sweden",
    "norway",
    "denmark",
    "finland",
    "portugal",
    "singapore",
    "taiwan",
    "china",
    "korea",
    "thailand",
    "vietnam",
    "philippines",
    "malaysia",
    "indonesia",
    "india",
    "brazil",
    "mexico",
];

/// Stands in the word list for a comma of the input.
const PART_BREAK: &str = ",";

/// State and territory codes written before a four-digit postcode (Australia).
const STATE_CODES: &[&str] = &["nsw", "vic", "qld", "tas", "act", "nt", "sa", "wa"];

/// Words that make a country name with the word after them (united kingdom, united
/// states, new zealand, hong kong is a city and stays).
const COUNTRY_PAIRS: &[(&str, &str)] = &[
    ("united", "kingdom"),
    ("united", "states"),
    ("new", "zealand"),
    ("south", "korea"),
    ("south", "africa"),
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
        } else if *c == ',' {
            // Kept as a token: a lot does not run on across a comma, and a number that
            // opens a part (8001 Zürich) may be its postcode.
            clean.push_str(" , ");
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
        if t == "," {
            words.push(PART_BREAK.to_string());
            i += 1;
            continue;
        }
        // Countries, in one word or two (united states of america: "of" and "america"
        // go as well), where a country is written: last, or last before a postcode.
        // Elsewhere they are names (12 India Street, 1 Canada Square).
        let country_len = match COUNTRY_PAIRS
            .iter()
            .find(|(first, second)| *first == t && next == Some(*second))
        {
            Some(&(_, "states")) if tokens.get(i + 2).map(String::as_str) == Some("of") => {
                if tokens.get(i + 3).map(String::as_str) == Some("america") {
                    4
                } else {
                    3
                }
            }
            Some(_) => 2,
            None if COUNTRIES.contains(&t) => 1,
            None => 0,
        };
        if country_len > 0 && ends_address(&tokens[i + country_len..]) {
            i += country_len;
            continue;
        }
        // "Shibuya City", "Minato Ward": after a name and before a comma or the end.
        if matches!(t, "city" | "ward" | "prefecture")
            && i > 0
            && tokens[i - 1].chars().all(char::is_alphabetic)
            && ends_part(&tokens[i + 1..])
        {
            i += 1;
            continue;
        }
        // "No. 10 Downing Street": first of all, No. marks the house number, not a unit
        // (after a building's name it is the room: Heights Ikejiri No. 101).
        if t == "no" && i == 0 && next.is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())) {
            i += 1;
            continue;
        }
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
    // 1-2-3; a comma ends the run); a postcode-like number (five digits or more, 123-4567,
    // or four digits after a state's code or opening a part before a place name) is the
    // postal code; a later lone number is the room.
    let mut lot: Vec<String> = Vec::new();
    let mut place: Vec<String> = Vec::new();
    let mut lot_done = false;
    let mut last_numeric = false;
    let mut part_start = true;
    // The lot so far is one number without hyphens (101), which may yet prove a room.
    let mut lot_plain = false;
    let mut previous: Option<String> = None;
    let mut words = words.into_iter().peekable();
    while let Some(w) = words.next() {
        if w == PART_BREAK {
            last_numeric = false;
            part_start = true;
            continue;
        }
        let opens_part = std::mem::replace(&mut part_start, false);
        let after = previous.replace(w.clone());
        let numeric = w.chars().all(|c| c.is_ascii_digit() || c == '-');
        // Four-digit postcodes (Australia, Switzerland, Austria, the Netherlands, …):
        // after a state's code (Sydney NSW 2000), or opening a part before a place name
        // (…, 8001 Zürich).
        if numeric && w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
            let after_state = after.as_deref().is_some_and(|p| STATE_CODES.contains(&p));
            // Only once a lot was read: 1600 Pennsylvania Avenue opens with its number.
            let before_name = opens_part
                && !lot.is_empty()
                && words
                    .peek()
                    .is_some_and(|n| n != PART_BREAK && n.chars().all(char::is_alphabetic));
            if after_state || before_name {
                let mut code = w;
                // The Netherlands' two letters after the digits (1015 CJ Amsterdam).
                if before_name {
                    let letters = words.peek().filter(|n| n.len() == 2).cloned();
                    if let Some(letters) = letters {
                        words.next();
                        if words.peek().is_some_and(|n| n != PART_BREAK) {
                            code.push_str(&letters.to_ascii_uppercase());
                        } else {
                            // Two letters and nothing after: the place's name, not a code.
                            place.push(letters);
                        }
                    }
                }
                if a.postal_code.is_none() {
                    a.postal_code = Some(code);
                }
                continue;
            }
        }
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
        let parts = || {
            w.split('-')
                .filter(|p| !p.is_empty())
                .map(|p| p.trim_start_matches('0').to_string())
        };
        // A lot (1-2-3) apart from an earlier lone number: that number was the room,
        // written first with the building (Heights Ikejiri 101, 1-2-3 Ikejiri).
        if w.contains('-') && !last_numeric && lot_plain && a.room.is_none() {
            a.room = lot.pop();
            lot.extend(parts());
            lot_plain = false;
            lot_done = false;
        } else if !lot_done || last_numeric {
            lot_plain = lot.is_empty() && !w.contains('-');
            lot.extend(parts());
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
    fn countries_city_words_and_a_leading_no_do_not_change_the_key() {
        // Found by a review: each of these gave another key than the plain form.
        let k = unit("12 Baker Street, Flat 3, London, NW1 6XE");
        assert_eq!(
            unit("12 Baker Street, Flat 3, London, NW1 6XE, United Kingdom"),
            k
        );
        assert_eq!(unit("12 Baker Street, Flat 3, London, NW1 6XE, UK"), k);
        let k = unit("350 5th Avenue, New York, NY 10118");
        assert_eq!(
            unit("350 5th Avenue, New York, NY 10118, United States of America"),
            k
        );
        assert_eq!(unit("350 5th Avenue, New York, NY 10118, USA"), k);
        assert_eq!(
            unit("3-2-1 Shibuya, Shibuya City, Tokyo"),
            unit("3-2-1 Shibuya, Shibuya-ku, Tokyo")
        );
        assert_eq!(
            unit("No. 10 Downing Street, London"),
            unit("10 Downing Street, London")
        );
        // After the house number, No. is still the room.
        assert_eq!(
            unit("Heights Ikejiri No. 101, 1-2-3 Ikejiri, Tokyo"),
            unit("Heights Ikejiri #101, 1-2-3 Ikejiri, Tokyo")
        );
        assert_ne!(
            unit("10 Downing Street No. 5, London"),
            unit("10 Downing Street, London")
        );
        // Found by a second review: names that are countries or 'City' elsewhere stay,
        // and a four-digit house number is no postcode.
        assert_ne!(
            unit("12 India Street, Glasgow"),
            unit("12 China Street, Glasgow")
        );
        assert_ne!(unit("1 Canada Square, London"), unit("1 Square, London"));
        assert_ne!(unit("12 City Road, London"), unit("12 Road, London"));
        assert_ne!(
            unit("1600 Pennsylvania Avenue NW, Washington, DC 20500"),
            unit("1601 Pennsylvania Avenue NW, Washington, DC 20500")
        );
        assert_ne!(
            unit("1234 Main Street, Springfield"),
            unit("1235 Main Street, Springfield")
        );
    }

    #[test]
    fn a_room_written_first_with_the_building_is_the_room() {
        let k = unit("1-2-3 Ikejiri, Setagaya-ku, Tokyo 154-0001 Heights Ikejiri 101");
        assert_eq!(
            unit("Heights Ikejiri 101, 1-2-3 Ikejiri, Setagaya-ku, Tokyo 154-0001"),
            k
        );
        assert_eq!(
            unit("Heights Ikejiri #101, 1-2-3 Ikejiri, Setagaya-ku, Tokyo"),
            k
        );
        // A house number and a plain number after it keep their places.
        assert!(unit("10 Downing Street 5, London").contains("10|r5"));
    }

    #[test]
    fn four_digit_postcodes_are_not_lot_or_room() {
        // Found by a review: 2000 became the room, and 8001 joined the lot (10-8001).
        for (with, without) in [
            ("10 George St, Sydney NSW 2000", "10 George St, Sydney NSW"),
            (
                "Bahnhofstrasse 10, 8001 Zürich",
                "Bahnhofstrasse 10, Zürich",
            ),
            (
                "Keizersgracht 123, 1015 CJ Amsterdam",
                "Keizersgracht 123, Amsterdam",
            ),
            (
                "5/12 Smith Street, Fitzroy VIC 3065",
                "5/12 Smith Street, Fitzroy VIC",
            ),
        ] {
            assert_eq!(unit(with), unit(without), "{with}");
        }
        let zurich = normalize("Bahnhofstrasse 10, 8001 Zürich").unwrap();
        assert_eq!(zurich.postal_code.as_deref(), Some("8001"));
        // A four-digit room in romaji stays a room.
        assert!(unit("1-2-3 Ikejiri, Setagaya-ku, Tokyo 1204").ends_with("|r1204"));
    }

    #[test]
    fn accents_and_floors() {
        assert_eq!(
            unit("12 Rue de l'Église, 2nd Floor"),
            unit("12 rue de l eglise 2F")
        );
    }
}
