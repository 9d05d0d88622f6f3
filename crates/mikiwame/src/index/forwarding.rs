//! Signs of a forwarding service in an address's text: forwarding words, customer codes.
//!
//! The words are data (`data/forwarding_words.txt`); the known services' code patterns come
//! from the index's forwarder table.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;
use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::table::ForwarderEntry;
use crate::address::charset::CharSet;

const WORDS: &str = include_str!("../../data/forwarding_words.txt");

/// The words of the data file: lines that are neither empty nor comments.
fn words() -> impl Iterator<Item = &'static str> {
    WORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

static WORD_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words())
        .ok()
});

/// A generic forwarding customer code: 2 to 4 Latin letters, an optional hyphen, 5 to 10
/// digits (SR123456, KX-004521), not glued to further letters or digits. Room numbers
/// (101, A-102) are too short to match.
static GENERIC_CODE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[^A-Za-z])([A-Za-z]{2,4}-?[0-9]{5,10})(?:$|[^0-9])").ok());

/// The text that signs are looked for in: NFKC, so full-width letters and digits and
/// half-width katakana count. Text without characters from the Halfwidth and Fullwidth
/// Forms block (U+FF00–U+FFEF, UTF-8 `EF BC`–`EF BF`) or the ideographic space is borrowed:
/// for the words and codes looked for, NFKC changes nothing else that matters, and this
/// byte scan is much cheaper than a normalization check.
pub(crate) fn fold(text: &str) -> Folded<'_> {
    let b = text.as_bytes();
    let wide = b
        .windows(2)
        .any(|w| w[0] == 0xEF && (0xBC..=0xBF).contains(&w[1]))
        || text.contains('\u{3000}');
    let text = if wide {
        Cow::Owned(text.nfkc().collect())
    } else {
        Cow::Borrowed(text)
    };
    Folded {
        letters: text.bytes().any(|b| b.is_ascii_alphabetic()),
        text,
    }
}

/// A text folded by [`fold`], and whether it holds an ASCII letter: customer codes need
/// one, and most Japanese addresses have none, so the searches that need one ask this
/// (found once per text) first.
pub(crate) struct Folded<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) letters: bool,
}

/// The characters that start a forwarding word (both cases of ASCII letters, as the
/// matcher ignores ASCII case), or `None` when a word starts outside the Basic
/// Multilingual Plane, which a [`CharSet`] does not hold.
static WORD_STARTS: LazyLock<Option<CharSet>> = LazyLock::new(|| {
    let firsts: Vec<char> = words().filter_map(|w| w.chars().next()).collect();
    firsts.iter().all(|c| u32::from(*c) < 0x1_0000).then(|| {
        CharSet::from_chars(
            firsts
                .iter()
                .flat_map(|c| [c.to_ascii_lowercase(), c.to_ascii_uppercase()]),
        )
    })
});

/// True when the folded text holds a forwarding word.
///
/// A text can hold a word only if it holds the word's first character: most addresses
/// hold none of them (転, 気, 倉, 物, 配, フ and a few Latin letters), and a bit test a
/// character is cheaper than running the matcher over every byte of multi-byte text, in
/// which its byte prefilters find little to skip.
pub(crate) fn has_forwarding_word(folded: &Folded<'_>) -> bool {
    let text = folded.text.as_ref();
    let may_hold = WORD_STARTS
        .as_ref()
        .is_none_or(|starts| text.chars().any(|c| starts.contains(c)));
    may_hold
        && WORD_MATCHER
            .as_ref()
            .is_some_and(|m| m.find(text).is_some())
}

/// True when the folded text holds a generic forwarding customer code.
pub(crate) fn has_generic_code(folded: &Folded<'_>) -> bool {
    // A code needs Latin letters; most Japanese addresses have none.
    folded.letters
        && GENERIC_CODE
            .as_ref()
            .is_some_and(|r| r.is_match(&folded.text))
}

/// The compiled customer-code patterns of the known forwarders.
#[derive(Debug, Default)]
pub(crate) struct ForwarderPatterns {
    /// Each pattern with its forwarder's position and whether every match holds an ASCII
    /// letter (see [`needs_ascii_letter`]).
    patterns: Vec<(u32, Regex, bool)>,
}

/// The largest compiled size of one pattern; patterns come from data files.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a customer-code pattern, as the builder and the index both do.
pub(crate) fn compile_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
}

/// True when every match of `pattern` starts with a literal that holds an ASCII letter
/// (`HPF-?[0-9]{6}`, `(?i)sgr[0-9]{7}`): then a text without ASCII letters, as most
/// Japanese addresses are, cannot match, and the search (about 220 instructions a pattern,
/// mostly the regex engine's set-up) is skipped. The prefix literals come from
/// `regex-syntax`, the regex crate's own parser: every match starts with one of them when
/// their set is finite. `false` whenever that cannot be shown (an infinite set, an empty
/// literal, a case fold to a non-ASCII letter such as the Kelvin sign).
fn needs_ascii_letter(pattern: &str) -> bool {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return false;
    };
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    prefixes.literals().is_some_and(|lits| {
        !lits.is_empty()
            && lits
                .iter()
                .all(|l| l.as_bytes().iter().any(u8::is_ascii_alphabetic))
    })
}

impl ForwarderPatterns {
    /// Compiles every forwarder's pattern. The builder refused invalid patterns, so one that
    /// fails here comes from a damaged file and is skipped.
    pub(crate) fn new(forwarders: &[ForwarderEntry]) -> Self {
        let patterns = forwarders
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let pattern = f.code_pattern.as_deref()?;
                let re = compile_pattern(pattern).ok()?;
                Some((u32::try_from(i).ok()?, re, needs_ascii_letter(pattern)))
            })
            .collect();
        ForwarderPatterns { patterns }
    }

    /// The first forwarder whose pattern occurs in the text.
    pub(crate) fn find(&self, folded: &Folded<'_>) -> Option<u32> {
        self.patterns
            .iter()
            .filter(|(_, _, needs_letter)| folded.letters || !needs_letter)
            .find(|(_, re, _)| re.is_match(&folded.text))
            .map(|(i, ..)| *i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_in_any_case_and_width() {
        for t in [
            "東京都大田区平和島1-1-1 ABC倉庫内",
            "大阪府大阪市北区梅田1-1-1 山田様気付",
            "C/O Example Forwarding, 1-1 Heiwajima",
            "ＷＡＲＥＨＯＵＳＥ 2F",
        ] {
            assert!(has_forwarding_word(&fold(t)), "{t}");
        }
        assert!(!has_forwarding_word(&fold(
            "東京都世田谷区池尻1-2-3 ハイツ池尻101"
        )));
    }

    #[test]
    fn generic_codes() {
        for t in [
            "池尻1-2-3 SR123456",
            "池尻1-2-3KX-004521",
            "池尻1-2-3 ＳＲ１２３４５６",
        ] {
            assert!(has_generic_code(&fold(t)), "{t}");
        }
        for t in [
            "池尻1-2-3 A-102",
            "池尻1-2-3 101号室",
            "〒154-0001 池尻1-2-3",
            "ABCDE123456",
        ] {
            assert!(!has_generic_code(&fold(t)), "{t}");
        }
    }

    #[test]
    fn patterns_that_need_a_latin_letter() {
        for p in [
            "HPF-?[0-9]{6}",
            "SGR[0-9]{7}",
            "(?i)nsw-[0-9]{5}",
            "(?:BBX|QQ)[0-9]+",
            r"\bAB[0-9]{4}",
        ] {
            assert!(needs_ascii_letter(p), "{p}");
        }
        for p in [
            "[0-9]{8}",
            "HPF|[0-9]{6}",
            "(?i)k[0-9]{4}", // K also matches the Kelvin sign, which is not ASCII
            "転送[0-9]{4}",
            ".*AB",
            "",
            "(",
        ] {
            assert!(!needs_ascii_letter(p), "{p}");
        }
    }

    proptest::proptest! {
        /// Skipping the patterns that need a Latin letter in texts without one finds the
        /// same forwarder as trying every pattern in turn.
        #[test]
        fn skipping_finds_what_every_pattern_finds(
            picks in proptest::collection::vec(0usize..7, 1..5),
            text in "[池尻0-9A-Za-zＫ\u{212A} -]{0,14}",
        ) {
            let all = [
                "HPF-?[0-9]{6}", "[0-9]{3}", "(?i)k[0-9]", "AB|[0-9]{5}",
                "SGR[0-9]{2}", "尻[0-9]", "(?i)x[0-9]",
            ];
            let forwarders: Vec<ForwarderEntry> = picks
                .iter()
                .map(|&i| ForwarderEntry {
                    code_pattern: Some(all[i].to_string()),
                    ..Default::default()
                })
                .collect();
            let folded = fold(&text);
            let naive = picks
                .iter()
                .position(|&i| compile_pattern(all[i]).is_ok_and(|r| r.is_match(&folded.text)))
                .map(|i| i as u32);
            proptest::prop_assert_eq!(ForwarderPatterns::new(&forwarders).find(&folded), naive);
        }
    }

    proptest::proptest! {
        /// The first-character test never hides a word the matcher finds.
        #[test]
        fn word_starts_never_hide_a_word(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Strategy::prop_map(proptest::sample::select(words().collect::<Vec<_>>()), str::to_string),
                    "[東京都池尻1-9 A-Za-z転送気付倉庫物流配フルc/o]{0,6}",
                ],
                0..5,
            ),
            upper in proptest::bool::ANY,
        ) {
            let text: String = parts.concat();
            let text = if upper { text.to_ascii_uppercase() } else { text };
            let folded = fold(&text);
            let found = WORD_MATCHER.as_ref().is_some_and(|m| m.find(folded.text.as_ref()).is_some());
            proptest::prop_assert_eq!(has_forwarding_word(&folded), found, "{}", text);
        }
    }
}
