//! Name signals: `celebrity_name`, `gibberish_name`, `name_mismatch`.
//!
//! Payment detectors compare numbers; a person sees at once that 徳川家康 is not buying a
//! gift card at 3 a.m., and that りるれれれ is nobody's name. These checks encode that
//! glance, and are tuned against lists of ordinary names that must not be flagged
//! (佐々木, 奈々, ももこ, Lee).
//!
//! ```
//! use mikiwame::signals::names::{is_celebrity, is_gibberish, reading_mismatch};
//!
//! assert!(is_celebrity("徳川 家康", None));
//! assert!(is_celebrity("ｻｶﾓﾄ ﾘｮｳﾏ", None));
//! assert!(is_gibberish("りるれれれ") && is_gibberish("あわあわ") && is_gibberish("asdf"));
//! assert!(!is_gibberish("佐々木") && !is_gibberish("奈々") && !is_gibberish("Lee"));
//! assert!(reading_mismatch("佐藤花子", "スズキハナコ"));
//! assert!(!reading_mismatch("佐藤花子", "サトウハナコ"));
//! ```

use crate::address::fold::{fold_width, fold_width_chars, is_kept};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// Folds a name for comparison: NFKC (so half-width ｱ is ア and full-width Ａ is A), lower
/// case, katakana as hiragana, and without spaces, middle dots and punctuation.
///
/// ```
/// use mikiwame::signals::names::fold_name;
/// assert_eq!(fold_name("ﾄｸｶﾞﾜ・イエヤス"), "とくがわいえやす");
/// assert_eq!(fold_name(" Donald  TRUMP "), "donaldtrump");
/// ```
pub fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // Nearly every name is kana, kanji and ASCII, which the width fold leaves as they are,
    // and spaces, which are separators either way: fold those directly, without the width
    // fold's buffer of characters.
    for c in name.chars() {
        // Hiragana, kanji, lower-case ASCII letters and digits fold to themselves, and
        // katakana to hiragana: no separator, case or width table to consult (none of
        // these ranges holds a separator or a character with case).
        match c {
            'a'..='z' | '0'..='9' | '\u{3041}'..='\u{3096}' | '\u{4E00}'..='\u{9FFF}' => {
                out.push(c)
            }
            'ァ'..='ヶ' => out.push(katakana_to_hiragana(c)),
            _ if is_kept(c) || matches!(c, ' ' | '\u{3000}') => push_folded(&mut out, c),
            _ => {
                out.clear();
                return fold_name_slow(name, out);
            }
        }
    }
    out
}

/// [`fold_name`] through the width fold, for names with characters it may change.
fn fold_name_slow(name: &str, mut out: String) -> String {
    for c in fold_width_chars(name) {
        push_folded(&mut out, c);
    }
    out
}

/// Appends one width-folded character of a name as [`fold_name`] folds it: separators
/// dropped, lower case, katakana as hiragana.
fn push_folded(out: &mut String, c: char) {
    if is_separator(c) {
        return;
    }
    if is_caseless(c) {
        out.push(katakana_to_hiragana(c));
    } else {
        out.extend(c.to_lowercase().map(katakana_to_hiragana));
    }
}

/// Kana, kanji and the CJK symbols between them: no case, so no lower-case table search
/// (most of a Japanese name's characters; the test `caseless_block_has_no_case` checks it).
fn is_caseless(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9FFF}')
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '・' | '･' | '.' | ',' | '、' | '。' | '-' | '_' | '\'' | '"' | '(' | ')' | '（' | '）'
        )
}

fn katakana_to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

fn is_hiragana(c: char) -> bool {
    matches!(c, 'ぁ'..='ゖ' | 'ー' | 'ゝ' | 'ゞ')
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々' | '〆' | 'ヶ')
}

/// Drops voicing marks (が -> か, ぱ -> は) so that rendaku spellings compare equal.
fn devoice(s: &str) -> Cow<'_, str> {
    devoice_fast(s, false).unwrap_or_else(|| Cow::Owned(devoice_slow(s)))
}

/// [`devoice`] of the text without its long-vowel marks (ー), in one pass for kana and
/// kanji.
fn devoice_without_bar(s: &str) -> Cow<'_, str> {
    devoice_fast(s, true).unwrap_or_else(|| Cow::Owned(devoice_slow(&s.replace('ー', ""))))
}

/// Voicing marks removed through NFD and back: the definition.
fn devoice_slow(s: &str) -> String {
    s.nfd()
        .filter(|c| !matches!(c, '\u{3099}' | '\u{309A}'))
        .nfc()
        .collect()
}

/// [`devoice_slow`] character by character through a table of the hiragana block, for
/// text of hiragana and kanji only (kanji have no canonical decomposition, and kana
/// starters do not compose with each other), and with `skip_bar` without the long-vowel
/// mark; `None` for anything else.
///
/// Every character it accepts is three bytes in UTF-8, so it reads the text three bytes
/// at a time without decoding it as `char`s, and copies the runs that stay as they are
/// (most of a name) as slices: the text itself when nothing changes.
fn devoice_fast(s: &str, skip_bar: bool) -> Option<Cow<'_, str>> {
    const FIRST: u32 = 0x3041;
    const LAST: u32 = 0x309F;
    static TABLE: OnceLock<Vec<Option<char>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (FIRST..=LAST)
            .map(|u| {
                let one = char::from_u32(u).map(String::from).unwrap_or_default();
                let devoiced = devoice_slow(&one);
                let mut out = devoiced.chars();
                match (out.next(), out.next()) {
                    (Some(c), None) => Some(c),
                    // Dropped (a combining mark), or not one character: then the slow
                    // path decides.
                    _ => None,
                }
            })
            .collect()
    });
    let b = s.as_bytes();
    let mut out = String::new();
    // Where the run of characters kept as they are starts.
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        // A lead byte 0xE0-0xEF starts a three-byte character (the text is valid UTF-8,
        // so its two continuation bytes follow); anything else is not kana or kanji.
        let (lead, Some(&b1), Some(&b2)) = (b[i], b.get(i + 1), b.get(i + 2)) else {
            return None;
        };
        if lead & 0xF0 != 0xE0 {
            return None;
        }
        let u = (u32::from(lead & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
        let replacement = match u {
            FIRST..=LAST => match table.get((u - FIRST) as usize).copied().flatten() {
                Some(d) if d as u32 == u => None,
                Some(d) => Some(Some(d)),
                None if u == 0x3099 || u == 0x309A => Some(None),
                None => return None,
            },
            0x4E00..=0x9FFF | 0x3400..=0x4DBF => None,
            0x30FC if skip_bar => Some(None),
            _ => return None,
        };
        if let Some(with) = replacement {
            if out.capacity() == 0 {
                out.reserve(s.len());
            }
            out.push_str(s.get(run..i)?);
            if let Some(d) = with {
                out.push(d);
            }
            run = i + 3;
        }
        i += 3;
    }
    if run == 0 {
        return Some(Cow::Borrowed(s));
    }
    out.push_str(s.get(run..)?);
    Some(Cow::Owned(out))
}

struct Celebrities {
    /// Folded names, with Latin names also in reversed order.
    names: HashSet<String>,
    /// Folded readings (hiragana).
    readings: HashSet<String>,
    /// Reading by folded name, for the reading check.
    reading_of: HashMap<String, String>,
}

fn celebrities() -> &'static Celebrities {
    static LIST: OnceLock<Celebrities> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut c = Celebrities {
            names: HashSet::default(),
            readings: HashSet::default(),
            reading_of: HashMap::default(),
        };
        for line in data_lines(include_str!("../../data/celebrity_names.tsv")) {
            let mut cols = line.split('\t');
            let (Some(name), reading, romaji) = (cols.next(), cols.next(), cols.next()) else {
                continue;
            };
            let mut add_name = |n: &str| {
                let words: Vec<&str> = n.split_whitespace().collect();
                c.names.insert(fold_name(n));
                if words.len() == 2 {
                    c.names
                        .insert(fold_name(&format!("{} {}", words[1], words[0])));
                }
            };
            add_name(name);
            if let Some(r) = romaji.filter(|r| !r.trim().is_empty()) {
                add_name(r);
            }
            if let Some(r) = reading.filter(|r| !r.trim().is_empty()) {
                let folded = fold_name(r);
                c.reading_of.insert(fold_name(name), folded.clone());
                c.readings.insert(folded);
            }
        }
        c
    })
}

/// Non-empty, non-comment lines of a bundled data file.
pub(crate) fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// True when the name, or its kana reading, is a celebrity's, historical figure's or
/// famous character's on the bundled list (`data/celebrity_names.tsv`). Family and given
/// name may come in either order for Latin names; spacing, width and kana type do not
/// matter.
pub fn is_celebrity(name: &str, reading: Option<&str>) -> bool {
    is_celebrity_folded(&fold_name(name), reading.map(fold_name).as_deref())
}

/// [`is_celebrity`] on names already folded with [`fold_name`].
fn is_celebrity_folded(folded: &str, reading: Option<&str>) -> bool {
    let c = celebrities();
    if !folded.is_empty() && c.names.contains(folded) {
        return true;
    }
    // A kana name may be the celebrity's reading (とくがわいえやす).
    if folded.chars().count() >= 4 && c.readings.contains(folded) {
        return true;
    }
    reading.is_some_and(|r| r.chars().count() >= 4 && c.readings.contains(r))
}

/// Rows of the JIS kana keyboard and the QWERTY keyboard, for keyboard-mash runs.
const KANA_KEY_ROWS: &[&str] = &[
    "ぬふあうえおやゆよわほへ",
    "たていすかんなにらせ",
    "ちとしはきくまのりれけむ",
    "つさそひこみもねるめろ",
];
const QWERTY_ROWS: &[&str] = &["qwertyuiop", "asdfghjkl", "zxcvbnm"];
/// Four-letter keyboard runs that never occur in ordinary names. Runs such as `erty`
/// (Doherty, Gerty) and `ghjk` are left out or caught only at five letters.
const MASH_4GRAMS: &[&str] = &[
    "qwer", "wert", "rtyu", "tyui", "yuio", "uiop", "asdf", "sdfg", "dfgh", "fghj", "hjkl", "zxcv",
    "xcvb", "cvbn", "vbnm", "mnbv", "fdsa", "rewq", "lkjh", "poiu",
];

/// The gojūon table, row by row (a row is a consonant; positions are vowels).
const GOJUON_ROWS: &[&str] = &[
    "あいうえお",
    "かきくけこ",
    "がぎぐげご",
    "さしすせそ",
    "ざじずぜぞ",
    "たちつてと",
    "だぢづでど",
    "なにぬねの",
    "はひふへほ",
    "ばびぶべぼ",
    "ぱぴぷぺぽ",
    "まみむめも",
    "らりるれろ",
];

/// True when the name looks like keyboard mash or repeated kana rather than a name:
///
/// - one character three or more times in a row (りるれれれ, ｱｱｱ, Jooohn);
/// - a kana name that is one unit of two or more kana repeated (あわあわ), or a Latin
///   word that is one unit of three or more letters repeated (asdasd);
/// - three kana in gojūon order within one row (らりる, りるれ, あいう);
/// - a run along a keyboard row (asdf, qwer, ちとしは), or a Latin word of four or more
///   letters without a vowel (xkcd);
///
/// while iteration marks (佐々木, 奈々), doubled kana (ももこ, りり) and doubled letters
/// (Lee, Aaron) stay ordinary.
pub fn is_gibberish(name: &str) -> bool {
    is_gibberish_folded(name, &fold_name(name))
}

/// [`is_gibberish`] with the name's [`fold_name`] form already computed.
fn is_gibberish_folded(name: &str, folded: &str) -> bool {
    let chars: Vec<char> = folded.chars().collect();
    if chars.len() < 3 {
        return false;
    }
    if chars
        .windows(3)
        .any(|w| w[0] == w[1] && w[1] == w[2] && !matches!(w[0], '々' | 'ゝ' | 'ー'))
    {
        return true;
    }
    let all_kana = chars.iter().all(|c| is_hiragana(*c));
    if all_kana && chars.len() >= 4 && is_repetition(&chars, 2) {
        return true;
    }
    if all_kana && has_gojuon_run(&chars) {
        return true;
    }
    if all_kana && has_kana_keyboard_run(&chars) {
        return true;
    }
    if !folded.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    // Latin words are judged one by one, so that "John Smith" is two words.
    fold_width(name)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let letters: Vec<char> = w.chars().collect();
            (letters.len() >= 6 && is_repetition(&letters, 3))
                || MASH_4GRAMS.iter().any(|g| w.contains(g))
                || has_qwerty_run(&letters, 5)
                || (letters.len() >= 4 && !letters.iter().any(|c| "aeiouy".contains(*c)))
        })
}

/// True when `chars` is one unit of at least `min_unit` characters repeated at least twice.
fn is_repetition(chars: &[char], min_unit: usize) -> bool {
    (min_unit..=chars.len() / 2)
        .any(|unit| chars.len() % unit == 0 && chars.chunks(unit).all(|c| c == &chars[..unit]))
}

/// Where each character sits on a set of rows: (row, column) pairs.
type KeyPositions = HashMap<char, Vec<(usize, usize)>>;

fn positions(rows: &[&str]) -> KeyPositions {
    let mut map: KeyPositions = HashMap::default();
    for (r, row) in rows.iter().enumerate() {
        for (c, ch) in row.chars().enumerate() {
            map.entry(ch).or_default().push((r, c));
        }
    }
    map
}

/// True when `min` consecutive characters sit side by side on one row, in row order (or,
/// with `backwards`, in either order).
fn has_run(chars: &[char], map: &KeyPositions, min: usize, backwards: bool) -> bool {
    if chars.len() < min {
        return false;
    }
    let dirs: &[isize] = if backwards { &[1, -1] } else { &[1] };
    chars.windows(min).any(|w| {
        map.get(&w[0]).is_some_and(|starts| {
            starts.iter().any(|&(row, col)| {
                dirs.iter().any(|&d| {
                    w.iter().enumerate().skip(1).all(|(k, ch)| {
                        let want = col as isize + d * k as isize;
                        map.get(ch).is_some_and(|ps| {
                            ps.iter().any(|&(r, c)| r == row && c as isize == want)
                        })
                    })
                })
            })
        })
    })
}

fn has_gojuon_run(chars: &[char]) -> bool {
    static MAP: OnceLock<KeyPositions> = OnceLock::new();
    has_run(chars, MAP.get_or_init(|| positions(GOJUON_ROWS)), 3, false)
}

fn has_kana_keyboard_run(chars: &[char]) -> bool {
    static MAP: OnceLock<KeyPositions> = OnceLock::new();
    has_run(chars, MAP.get_or_init(|| positions(KANA_KEY_ROWS)), 4, true)
}

fn has_qwerty_run(chars: &[char], min: usize) -> bool {
    static MAP: OnceLock<KeyPositions> = OnceLock::new();
    has_run(chars, MAP.get_or_init(|| positions(QWERTY_ROWS)), min, true)
}

struct Surnames {
    readings: HashMap<String, Vec<String>>,
    longest: usize,
}

fn surnames() -> &'static Surnames {
    static LIST: OnceLock<Surnames> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut readings = HashMap::default();
        let mut longest = 0;
        for line in data_lines(include_str!("../../data/surname_readings.tsv")) {
            if let Some((name, rs)) = line.split_once('\t') {
                longest = longest.max(name.chars().count());
                readings.insert(
                    name.to_string(),
                    rs.split('|')
                        .map(|r| devoice(&fold_name(r)).into_owned())
                        .collect(),
                );
            }
        }
        Surnames { readings, longest }
    })
}

/// True when a kana reading demonstrably does not fit the name. Checked only where a check
/// is possible, so that an unknown reading is never a mismatch:
///
/// - a name written in kana must read as itself;
/// - kana written inside a kanji name (山田はなこ) must appear in the reading, in order;
/// - a celebrity's name must have the celebrity's reading;
/// - a name starting with a common surname (`data/surname_readings.tsv`) must have a reading
///   starting with one of its readings (voicing ignored: やまさき = やまざき). Surnames of one
///   kanji are checked only when a space separates them from the given name.
///
/// Readings in Latin letters, or containing kanji, are not checked.
pub fn reading_mismatch(name: &str, reading: &str) -> bool {
    reading_mismatch_folded(name, &fold_name(name), &fold_name(reading))
}

/// [`reading_mismatch`] with both folded forms already computed.
fn reading_mismatch_folded(name: &str, folded_name: &str, r: &str) -> bool {
    if r.is_empty() || folded_name.is_empty() || !r.chars().all(is_hiragana) {
        return false;
    }
    let r = devoice_without_bar(r);
    let (mut any_kana, mut all_kana) = (false, true);
    for c in folded_name.chars() {
        if is_hiragana(c) {
            any_kana = true;
        } else if is_kanji(c) {
            all_kana = false;
        } else {
            return false;
        }
    }
    if all_kana {
        return devoice_without_bar(folded_name) != r;
    }
    // Kana runs inside the kanji name, in order.
    if any_kana {
        let mut rest: &str = &r;
        let name_devoiced = devoice_without_bar(folded_name);
        for run in name_devoiced
            .split(|c: char| !is_hiragana(c))
            .filter(|s| !s.is_empty())
        {
            match rest.find(run) {
                Some(at) => rest = &rest[at + run.len()..],
                None => return true,
            }
        }
    }
    if let Some(expected) = celebrities().reading_of.get(folded_name) {
        return devoice(expected) != r;
    }
    let s = surnames();
    let spaced = name.trim().contains(char::is_whitespace);
    let spaced_first = spaced
        .then(|| fold_width(name))
        .and_then(|w| w.split_whitespace().next().map(str::to_string));
    let check = |cand: &str| {
        s.readings
            .get(cand)
            .map(|readings| !readings.iter().any(|sr| r.starts_with(sr.as_str())))
    };
    match spaced_first {
        Some(first) => check(&first).unwrap_or(false),
        None => {
            // Prefixes of the name, longest first, as slices (no string per candidate):
            // `ends[n]` is where the name's character `n` starts.
            let mut ends = [0usize; 16];
            let mut count = 0;
            for (i, _) in folded_name.char_indices().take(ends.len()) {
                ends[count] = i;
                count += 1;
            }
            // A name of `count` characters or more; a prefix leaves at least one.
            let longest = s.longest.min(ends.len() - 1).min(count.saturating_sub(1));
            (2..=longest)
                .rev()
                .find_map(|n| check(&folded_name[..ends[n]]))
                .unwrap_or(false)
        }
    }
}

/// Adds the name reasons of one order: `celebrity_name`, `gibberish_name` (not for
/// placeholders, which are data quality) and `name_mismatch`, from the flags computed
/// once in [`super::Facts`].
pub(crate) fn check(facts: &super::Facts, out: &mut Vec<super::Hit>) {
    use super::{Hit, ReasonCode};
    if facts.names.celebrity {
        out.push(Hit::new(ReasonCode::CelebrityName));
    }
    if facts.names.gibberish {
        out.push(Hit::new(ReasonCode::GibberishName));
    }
    if facts.names.mismatch {
        out.push(Hit::new(ReasonCode::NameMismatch));
    }
}

/// What the names of an order's parties are, computed once per order.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NameFlags {
    pub celebrity: bool,
    pub gibberish: bool,
    pub mismatch: bool,
    pub dummy: bool,
}

impl NameFlags {
    /// The flags of an order's names; `folded` holds [`fold_name`] of the buyer's and the
    /// receiver's names (folded once per order, in [`super::Facts`]).
    pub(crate) fn of(order: &crate::order::Order, folded: &[Option<String>; 2]) -> NameFlags {
        let mut f = NameFlags::default();
        let parties = [order.buyer.as_ref(), order.shipping.as_ref()];
        for (p, folded) in parties.into_iter().zip(folded) {
            let (Some(p), Some(folded)) = (p, folded) else {
                continue;
            };
            let Some(name) = p.name.as_deref() else {
                continue;
            };
            let kana = p.name_kana.as_deref().map(fold_name);
            let dummy = super::dummy::is_dummy_folded(folded);
            f.dummy |= dummy;
            f.celebrity |= is_celebrity_folded(folded, kana.as_deref());
            f.gibberish |= !dummy && is_gibberish_folded(name, folded);
            f.mismatch |= kana
                .as_deref()
                .is_some_and(|k| reading_mismatch_folded(name, folded, k));
        }
        f
    }

    /// A celebrity's, gibberish or placeholder name: what a name series is made of.
    pub(crate) fn joke(self) -> bool {
        self.celebrity || self.gibberish || self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ordinary names that no name signal may flag.
    const JAPANESE: &str = include_str!("../../../../tests/fixtures/names_ja.txt");
    const WESTERN: &str = include_str!("../../../../tests/fixtures/names_western.txt");

    fn names(text: &'static str) -> Vec<&'static str> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }

    #[test]
    fn caseless_block_has_no_case() {
        for c in ('\u{3000}'..='\u{9FFF}').filter(|c| is_caseless(*c)) {
            assert!(c.to_lowercase().eq([c]), "{c:?} has a lower case");
        }
        assert!(!is_caseless('A') && !is_caseless('\u{FF21}'));
        assert_eq!(fold_name("ＴＡＲＯ・ヤマダ"), "taroやまだ");
    }

    #[test]
    fn fixtures_are_large_enough() {
        assert!(names(JAPANESE).len() >= 200, "{}", names(JAPANESE).len());
        assert!(names(WESTERN).len() >= 50, "{}", names(WESTERN).len());
    }

    #[test]
    fn ordinary_names_are_not_flagged() {
        for line in names(JAPANESE).into_iter().chain(names(WESTERN)) {
            // A fixture line is a name, optionally followed by a tab and its reading.
            let (name, reading) = match line.split_once('\t') {
                Some((n, r)) => (n, Some(r)),
                None => (line, None),
            };
            assert!(!is_gibberish(name), "gibberish: {name}");
            assert!(!is_celebrity(name, reading), "celebrity: {name}");
            assert!(!super::super::dummy::is_dummy_name(name), "dummy: {name}");
            if let Some(r) = reading {
                assert!(!reading_mismatch(name, r), "mismatch: {name} / {r}");
            }
        }
    }

    #[test]
    fn celebrities_positive() {
        for n in [
            "徳川家康",
            "真田 幸村",
            "織田　信長",
            "坂本龍馬",
            "とくがわいえやす",
            "ﾄｸｶﾞﾜｲｴﾔｽ",
            "Donald Trump",
            "trump donald",
            "Oda Nobunaga",
            "野比のび太",
        ] {
            assert!(is_celebrity(n, None), "{n}");
        }
        // By the reading alone.
        assert!(is_celebrity("徳川家安", Some("トクガワ イエヤス")));
    }

    #[test]
    fn celebrities_negative() {
        for n in [
            "徳川",
            "家康",
            "山田太郎",
            "鈴木一郎",
            "Donald",
            "信長好き",
            "",
        ] {
            assert!(!is_celebrity(n, None), "{n}");
        }
        assert!(!is_celebrity("徳川花子", Some("トクガワハナコ")));
    }

    #[test]
    fn gibberish_positive() {
        for n in [
            "りるれれれ",
            "あわあわ",
            "ｱｱｱ",
            "asdf",
            "ASDF GHJK",
            "qwerty",
            "らりるれろ",
            "かきく",
            "xkcdq",
            "Jooohn",
            "asdasd",
            "ちとしは",
            "たていすか",
            "あいうえお",
            "ぬふあう",
            "zxcvb",
        ] {
            assert!(is_gibberish(n), "{n}");
        }
    }

    #[test]
    fn gibberish_negative() {
        for n in [
            "佐々木",
            "奈々",
            "ももこ",
            "Lee",
            "Aaron",
            "Doherty",
            "りり",
            "もも",
            "Coco Chanel",
            "Lulu",
            "Nguyen",
            "Ng",
            "Tsz",
            "ささき",
            "ここあ",
            "Anna Schmidt",
            "Jo Jo",
            "あいこ",
            "",
        ] {
            assert!(!is_gibberish(n), "{n}");
        }
    }

    #[test]
    fn mismatch_positive() {
        assert!(reading_mismatch("さとうはなこ", "スズキハナコ"));
        assert!(reading_mismatch("佐藤花子", "タナカハナコ"));
        assert!(reading_mismatch("山田はなこ", "ヤマダタロウ"));
        assert!(reading_mismatch("徳川家康", "ヤマダタロウ"));
        assert!(reading_mismatch("林 大輔", "モリダイスケ"));
    }

    #[test]
    fn mismatch_negative() {
        assert!(!reading_mismatch("山崎太郎", "ヤマザキタロウ"));
        assert!(!reading_mismatch("山崎太郎", "やまさき たろう"));
        assert!(!reading_mismatch("吉川晃司", "キッカワコウジ"));
        assert!(!reading_mismatch("林田大輔", "ハヤシダダイスケ"));
        // Unknown surname, Latin reading, kanji reading: nothing to check.
        assert!(!reading_mismatch("東海林太郎", "ショウジタロウ"));
        assert!(!reading_mismatch("佐藤花子", "Sato Hanako"));
        assert!(!reading_mismatch("佐藤花子", "佐藤花子"));
        assert!(!reading_mismatch("John Smith", "ジョンスミス"));
        assert!(!reading_mismatch("すずき", "スズキ"));
        assert!(!reading_mismatch("たろー", "タロー"));
    }

    proptest::proptest! {
        #[test]
        fn devoice_fast_path_equals_nfd(s in "[ぁ-ゟ一-龥㐀-㐉ァ-ヿa-zé𠀋゙゚]{0,10}") {
            proptest::prop_assert_eq!(devoice(&s), devoice_slow(&s));
        }

        #[test]
        fn devoice_without_bar_equals_nfd_without_bar(
            s in "[ぁ-ゟー一-龥ァ-ヿa-zé𠀋゙゚]{0,10}",
            // Only what the fast path takes, so that it runs to the end.
            kana in "[ぁ-ゟー一-龥゙゚]{0,10}",
        ) {
            proptest::prop_assert_eq!(devoice_without_bar(&s), devoice_slow(&s.replace('ー', "")));
            proptest::prop_assert_eq!(devoice_without_bar(&kana), devoice_slow(&kana.replace('ー', "")));
            proptest::prop_assert_eq!(devoice(&kana), devoice_slow(&kana));
        }

        /// The direct fold of kana, kanji and ASCII names gives what the width fold gives,
        /// also for the characters next to those ranges (half-width kana, marks, dots,
        /// `~`, which is a hyphen between digits). Few kanji, so that the rest come often.
        #[test]
        fn fold_name_fast_path_equals_width_fold(
            s in "[ぁ-ゟ゠-ヿ一佐龥 　a-zA-Z0-9!-/:-@~ｦ-ﾟ・ー.ＡＺａ０\t]{0,12}",
            // Digits among spaces, `~` and hyphens, where the width fold looks at the
            // neighbours (the regex strategy draws each range of a class equally often,
            // so a wide class would rarely put two digits around one mark).
            dashes in "[0-9~ 　a.-]{0,8}",
        ) {
            proptest::prop_assert_eq!(fold_name(&s), fold_name_slow(&s, String::new()));
            proptest::prop_assert_eq!(fold_name(&dashes), fold_name_slow(&dashes, String::new()));
        }
    }
}
