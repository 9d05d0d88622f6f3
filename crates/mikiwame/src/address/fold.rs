//! Character folding: one spelling for every way of typing the same characters.
//!
//! Two stages, so that a parser can match on aggressive folding and still show the reader
//! something close to what was written:
//!
//! 1. [`fold_width`] (display form): full-width ASCII and the ideographic space become
//!    ASCII, half-width katakana become full-width (with their voicing marks), every
//!    dash-like character between digits becomes `-` (but never the long vowel inside a
//!    katakana word: コーポ stays), zero-width characters and variation selectors (IVS) go,
//!    runs of white space become one space. Anything the fast table does not know goes
//!    through NFKC.
//! 2. [`fold_char`] (match form), one character for one character: variant and old kanji
//!    (髙→高, 﨑→崎, 澤→沢), ヶ/ヵ/が between kanji → ケ, ッ between kanji → ツ, ノ/之
//!    between kanji → の. [`fold_for_match`] applies both.
//!
//! This file is also compiled into the crate's build script (to fold the gazetteer's keys
//! the same way as inputs), so it uses nothing but `std` and `unicode-normalization`.
//!
//! ```
//! use mikiwame::address::fold::{fold_for_match, fold_width};
//! assert_eq!(fold_width("ｺｰﾎﾟ１２３ー４"), "コーポ123-4");
//! assert_eq!(fold_for_match("自由ヶ丘　髙田馬場"), "自由ケ丘 高田馬場");
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use super::charset::CharSet;

/// What the width fold leaves as it is and can be no dash: printable ASCII but `~`,
/// hiragana, katakana without the long vowel and the middle dot, and CJK ideographs,
/// nearly every character of an address.
static KEPT: CharSet = CharSet::new(
    &[],
    &[
        ('!', '}'),
        ('\u{3041}', '\u{3096}'),
        ('\u{30A1}', '\u{30FA}'),
        ('\u{4E00}', '\u{9FFF}'),
    ],
);

/// True for the characters [`fold_width`] leaves exactly as they are, whatever surrounds
/// them (see `KEPT`): callers that fold further may skip the width fold for text made of
/// them.
pub(crate) fn is_kept(c: char) -> bool {
    KEPT.contains(c)
}

const VARIANTS_TSV: &str = include_str!("../../data/address/variants.tsv");

/// The characters [`fold_char`] may change: those of the variants table and the
/// context-folded ones (not ASCII, which it never changes), so that the common case costs
/// one bit test instead of a hash lookup.
fn may_fold() -> &'static CharSet {
    static SET: OnceLock<CharSet> = OnceLock::new();
    SET.get_or_init(|| {
        let chars = variants().keys().copied().chain(CONTEXT_FOLDED);
        CharSet::from_chars(chars.filter(|c| !c.is_ascii()))
    })
}

fn lookup_variant(c: char) -> Option<char> {
    let cp = c as u32;
    if cp < 0x10000 && !may_fold().contains(c) {
        return None;
    }
    variants().get(&c).copied()
}

fn variants() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for line in VARIANTS_TSV.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut it = line.split('\t');
            if let (Some(a), Some(b)) = (it.next(), it.next()) {
                let (mut a, mut b) = (a.chars(), b.chars());
                if let (Some(a), Some(b)) = (a.next(), b.next()) {
                    m.insert(a, b);
                }
            }
        }
        m
    })
}

/// Half-width katakana U+FF61..=U+FF9F as full-width, in code point order.
const HALF_KANA: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

/// True for characters that mean "hyphen" in an address whatever the context.
pub fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{FE63}'
            | '\u{FF0D}'
            | '\u{2043}'
            | '\u{02D7}'
            | '\u{2796}'
            | '\u{30FB}'
    )
}

/// True for the katakana long-vowel marks, which are hyphens only between digits.
fn is_long_vowel(c: char) -> bool {
    matches!(
        c,
        '\u{30FC}' | '\u{FF70}' | '\u{FE31}' | '〜' | '~' | '\u{FF5E}'
    )
}

/// Characters that show nothing: Unicode's default-ignorable code points (zero-width
/// spaces and joiners, bidi controls, variation selectors, Hangul fillers, tags) and the
/// interlinear annotation marks. One of them hidden in a lot number (1-2-\u{2066}3) must
/// not change the key.
fn is_removed(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}'
        | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// A combining mark that NFKC leaves standing alone after a digit, hyphen or space
/// (1\u{0301}-2\u{0308}-3): it decorates nothing an address needs.
fn is_stray_mark(c: char, before: Option<&char>) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
        && before.is_none_or(|p| p.is_ascii_digit() || matches!(p, '-' | ' '))
}

/// True when the fast table folds this character fully (so NFKC is not needed).
fn is_fast(c: char) -> bool {
    matches!(c,
        '\u{20}'..='\u{7E}'
        | '\u{3040}'..='\u{3096}' | '\u{309D}'..='\u{30FF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}'
        | '\u{FF01}'..='\u{FF5E}' | '\u{FF61}'..='\u{FF9F}'
        | '\u{3000}'..='\u{3003}' | '\u{3005}'..='\u{3007}' | '\u{300C}'..='\u{300F}'
        | '\u{3010}' | '\u{3011}' | '\u{3012}' | '\u{301C}'
        | '\t' | '\n' | '\r' | '\u{2800}')
        || is_dash(c)
        || is_long_vowel(c)
        || is_removed(c)
        || lookup_variant(c).is_some()
}

fn is_digit_like(c: char) -> bool {
    c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)
}

/// Voiced (゛) form of a full-width katakana, if it has one.
fn voiced(c: char) -> Option<char> {
    match c {
        'ウ' => Some('ヴ'),
        'カ'..='ト' | 'ハ'..='ホ' => {
            let base = c as u32;
            // カ..ト alternate unvoiced/voiced, except the small ッ at U+30C3.
            let unvoiced_ok = match c {
                'カ'..='チ' => (base - 'カ' as u32) % 2 == 0,
                'ツ' | 'テ' | 'ト' => true,
                'ハ'..='ホ' => (base - 'ハ' as u32) % 3 == 0,
                _ => false,
            };
            if unvoiced_ok {
                char::from_u32(base + 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Semi-voiced (゜) form of a full-width katakana, if it has one.
fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ'..='ホ' if (c as u32 - 'ハ' as u32) % 3 == 0 => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

/// Folds width, dashes, invisible characters and white space (the display form).
///
/// ```
/// use mikiwame::address::fold::fold_width;
/// assert_eq!(fold_width("１－２－３\u{3000}ﾊｲﾂ"), "1-2-3 ハイツ");
/// assert_eq!(fold_width("1ー2 タワー"), "1-2 タワー");
/// assert_eq!(fold_width("葛\u{E0100}飾"), "葛飾");
/// ```
pub fn fold_width(input: &str) -> String {
    fold_width_chars(input).into_iter().collect()
}

/// [`fold_width`] as characters (what the parser works on).
pub fn fold_width_chars(input: &str) -> Vec<char> {
    match fold_fast(input, true) {
        Some(out) => out,
        None => {
            let nfkc: String = input.nfkc().collect();
            fold_fast(&nfkc, false).unwrap_or_default()
        }
    }
}

/// The table-driven fold. With `bail`, gives up (`None`) at the first character the
/// table does not fold fully, so that the caller can apply NFKC first.
fn fold_fast(input: &str, bail: bool) -> Option<Vec<char>> {
    let mut out: Vec<char> = Vec::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    // Set when a character may need the dash pass below (anything dash-like but '-').
    let mut dashy = false;
    while let Some(c) = chars.next() {
        // Most characters stay as they are and can be no dash: decide them first.
        if KEPT.contains(c) {
            out.push(c);
            continue;
        }
        let mapped = match c {
            c if bail && !is_fast(c) => return None,
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{FF61}'..='\u{FF9F}' => {
                // A mark that NFKC would change must not be folded into the kana here.
                if bail && chars.peek().is_some_and(|n| !is_fast(*n)) {
                    return None;
                }
                let idx = (c as u32 - 0xFF61) as usize;
                let full = HALF_KANA.chars().nth(idx).unwrap_or(c);
                match chars.peek() {
                    Some('\u{FF9E}') | Some('\u{3099}') | Some('゛') => {
                        if let Some(v) = voiced(full) {
                            chars.next();
                            v
                        } else {
                            full
                        }
                    }
                    Some('\u{FF9F}') | Some('\u{309A}') | Some('゜') => {
                        if let Some(v) = semi_voiced(full) {
                            chars.next();
                            v
                        } else {
                            full
                        }
                    }
                    _ => full,
                }
            }
            '\u{3000}' | '\u{2800}' | '\t' | '\n' | '\r' => ' ',
            c if is_removed(c) => continue,
            c if is_stray_mark(c, out.last()) => continue,
            c if c.is_control() => ' ',
            c => c,
        };
        if mapped == ' ' && matches!(out.last(), Some(' ') | None) {
            continue;
        }
        dashy |= mapped != '-' && (is_dash(mapped) || is_long_vowel(mapped));
        out.push(mapped);
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    if !dashy {
        return Some(out);
    }
    // Dashes: a long-vowel mark is a hyphen only between digits (1ー2), never in コーポ.
    let n = out.len();
    for i in 0..n {
        let c = out[i];
        if is_dash(c) && c != '\u{30FB}' {
            out[i] = '-';
        } else if c == '\u{30FB}' {
            // The katakana middle dot separates numbers (1・2) and words alike; keep it
            // a hyphen only between digits.
            if neighbours_are_digits(&out, i) {
                out[i] = '-';
            }
        } else if is_long_vowel(c) && neighbours_are_digits(&out, i) {
            out[i] = '-';
        }
    }
    Some(out)
}

fn neighbours_are_digits(s: &[char], i: usize) -> bool {
    let before = s[..i].iter().rev().find(|c| **c != ' ');
    let after = s[i + 1..].iter().find(|c| **c != ' ');
    matches!(before, Some(c) if is_digit_like(*c) || is_kanji_digit(*c))
        && matches!(after, Some(c) if is_digit_like(*c) || is_kanji_digit(*c))
}

fn is_kanji_digit(c: char) -> bool {
    matches!(
        c,
        '〇' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々' | '〆')
}

/// Folds one display-form character for matching, given its neighbours.
///
/// One character in, one character out, so a parser can keep the display form and the
/// match form side by side, position for position.
///
/// ```
/// use mikiwame::address::fold::fold_char;
/// assert_eq!(fold_char(Some('自'), '\u{9AD9}', None), '高');
/// assert_eq!(fold_char(Some('由'), 'が', Some('丘')), 'ケ');
/// assert_eq!(fold_char(Some('か'), 'が', Some('み')), 'が');
/// ```
pub fn fold_char(prev: Option<char>, c: char, next: Option<char>) -> char {
    if let Some(v) = lookup_variant(c) {
        return v;
    }
    if !CONTEXT_FOLDED.contains(&c) {
        return c;
    }
    let between_kanji = || prev.is_some_and(is_kanji) && next.is_some_and(is_kanji);
    match c {
        'ヶ' | 'ヵ' => 'ケ',
        'が' | 'ガ' | 'ケ' if between_kanji() => 'ケ',
        'ッ' | 'っ' if between_kanji() => 'ツ',
        'ノ' | '之' if between_kanji() => 'の',
        _ => c,
    }
}

/// The characters that [`fold_char`] may change by their neighbours (all others it changes
/// only through the variants table).
const CONTEXT_FOLDED: [char; 9] = ['ヶ', 'ヵ', 'が', 'ガ', 'ケ', 'ッ', 'っ', 'ノ', '之'];

/// Both stages: the form used to match gazetteer names.
///
/// ```
/// use mikiwame::address::fold::fold_for_match;
/// assert_eq!(fold_for_match("一ッ橋"), "一ツ橋");
/// assert_eq!(fold_for_match("城ノ内"), "城の内");
/// ```
pub fn fold_for_match(input: &str) -> String {
    fold_chars(&fold_width_chars(input)).into_iter().collect()
}

/// Applies [`fold_char`] along a display-form character slice.
pub fn fold_chars(display: &[char]) -> Vec<char> {
    let may_fold = may_fold();
    let mut out = Vec::with_capacity(display.len());
    for (i, &c) in display.iter().enumerate() {
        // Most characters are neither variants nor context-folded: one bit test, without
        // branching on the kind of character (text mixes digits, kana and kanji, so such
        // branches mispredict).
        let marked = (c as u32 >= 0x1_0000) | may_fold.contains(c);
        out.push(if marked {
            let prev = i.checked_sub(1).map(|p| display[p]);
            fold_char(prev, c, display.get(i + 1).copied())
        } else {
            c
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_chars_agrees_with_fold_char_everywhere() {
        // The shortcut in fold_chars must skip only characters fold_char leaves alone.
        let all: Vec<char> = (0..0x1_0000u32).filter_map(char::from_u32).collect();
        for ctx in [None, Some('東')] {
            for &c in &all {
                let text = [ctx.unwrap_or(' '), c, ctx.unwrap_or(' ')];
                let text = if ctx.is_some() {
                    &text[..]
                } else {
                    &text[1..2]
                };
                let at = usize::from(ctx.is_some());
                let prev = at.checked_sub(1).map(|p| text[p]);
                let want = fold_char(prev, c, text.get(at + 1).copied());
                assert_eq!(fold_chars(text)[at], want, "{c:?} {ctx:?}");
            }
        }
    }

    #[test]
    fn half_width_kana_with_marks() {
        assert_eq!(fold_width("ﾊﾞｲﾊﾟｽ ｶﾞｰﾃﾞﾝ"), "バイパス ガーデン");
        assert_eq!(fold_width("ｳﾞｨﾗ"), "ヴィラ");
    }

    #[test]
    fn nfkd_input_is_composed() {
        let nfkd: String = "ガーデン".nfkd().collect();
        assert_eq!(fold_width(&nfkd), "ガーデン");
    }

    #[test]
    fn dashes_between_digits_only() {
        for d in [
            "‐", "‑", "‒", "–", "—", "―", "−", "─", "ー", "ｰ", "﹣", "－", "⁃",
        ] {
            assert_eq!(fold_width(&format!("1{d}2")), "1-2", "{d:?}");
        }
        assert_eq!(fold_width("コーポ"), "コーポ");
        assert_eq!(fold_width("タワー3"), "タワー3");
        assert_eq!(fold_width("3ーA"), "3ーA");
    }

    #[test]
    fn invisible_and_spaces() {
        assert_eq!(fold_width(" a\u{200B}b\u{FE0F}  \n c "), "ab c");
        // Bidi controls, fillers, tags and the braille blank (found by a review: each
        // hidden in a lot number changed the key).
        for c in [
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{061C}',
            '\u{034F}',
            '\u{180E}',
            '\u{2061}',
            '\u{2064}',
            '\u{115F}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{17B4}',
            '\u{FFF9}',
            '\u{E0020}',
            '\u{E0001}',
        ] {
            assert_eq!(
                fold_width(&format!("1-2-{c}3")),
                "1-2-3",
                "U+{:04X}",
                c as u32
            );
        }
        assert_eq!(fold_width("1\u{2800}2"), "1 2");
        // Combining marks on digits go; on letters NFKC composes them (é) and they stay.
        assert_eq!(fold_width("1\u{0301}-2\u{0308}-3"), "1-2-3");
        assert_eq!(fold_width("e\u{0301}"), "é");
        assert_eq!(fold_width("\u{3000}\u{3000}"), "");
    }

    #[test]
    fn compatibility_ideographs() {
        assert_eq!(fold_for_match("\u{FA10}"), "塚");
        assert_eq!(fold_for_match("\u{FA11}"), "崎");
        assert_eq!(fold_for_match("邉"), "辺");
    }
}
