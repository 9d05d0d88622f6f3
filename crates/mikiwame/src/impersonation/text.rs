//! Message text: folding and de-obfuscation, cue lexicons scanned with Aho-Corasick,
//! negated guidance, URLs and phone numbers found in the text, and the score.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use unicode_normalization::UnicodeNormalization;

use super::verdict::Cue;
use crate::{Error, Result};

/// The cue lexicons: language and text. See each file's header for sources.
const LEXICONS: &[(&str, &str)] = &[
    ("ja", include_str!("../../data/impersonation/cues_ja.txt")),
    ("en", include_str!("../../data/impersonation/cues_en.txt")),
    ("fr", include_str!("../../data/impersonation/cues_fr.txt")),
    ("zh", include_str!("../../data/impersonation/cues_zh.txt")),
];

/// Longest text screened; the rest is ignored (scam cues sit at the start of a message).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// What a lexicon phrase marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Cue(Cue),
    /// Guidance ("we will never ask..."): cues in the same sentence are ignored.
    Negation,
}

/// The compiled cue lexicons of every language.
pub(crate) struct Lexicon {
    ac: AhoCorasick,
    labels: Vec<Label>,
    /// True for phrases that start and end with a Latin letter or digit: these match on
    /// word boundaries only (`rib` is not in `describe`).
    bounded: Vec<(bool, bool)>,
}

impl Lexicon {
    /// Compiles the built-in lexicons.
    pub fn builtin() -> Result<Lexicon> {
        let mut patterns = Vec::new();
        let mut labels = Vec::new();
        for (lang, text) in LEXICONS {
            let mut label = None;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    label = Some(if section == "negation" {
                        Label::Negation
                    } else {
                        Label::Cue(Cue::from_name(section).ok_or_else(|| Error::Profile {
                            source_name: format!("cues_{lang}.txt"),
                            message: format!("line {}: unknown section [{section}]", n + 1),
                        })?)
                    });
                    continue;
                }
                let label = label.ok_or_else(|| Error::Profile {
                    source_name: format!("cues_{lang}.txt"),
                    message: format!("line {}: phrase before any [section]", n + 1),
                })?;
                patterns.push(fold(line));
                labels.push(label);
            }
        }
        let bounded = patterns
            .iter()
            .map(|p| {
                let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                (latin(p.chars().next()), latin(p.chars().next_back()))
            })
            .collect();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| Error::Profile {
                source_name: "cue lexicons".into(),
                message: format!("cannot compile: {e}"),
            })?;
        Ok(Lexicon {
            ac,
            labels,
            bounded,
        })
    }

    /// Adds the cues of one sentence to `found`, unless the sentence is guidance.
    fn scan_sentence(&self, sentence: &str, found: &mut Vec<Cue>) {
        let mut cues = Vec::new();
        for m in self.ac.find_overlapping_iter(sentence) {
            let i = m.pattern().as_usize();
            let (left, right) = self.bounded[i];
            let before = sentence[..m.start()].chars().next_back();
            let after = sentence[m.end()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && c.is_ascii());
            if (left && word(before)) || (right && word(after)) {
                continue;
            }
            match self.labels[i] {
                Label::Negation => return,
                Label::Cue(c) => cues.push(c),
            }
        }
        found.extend(cues);
    }

    /// The lexicon cues of a folded text.
    pub fn scan(&self, folded: &str, found: &mut Vec<Cue>) {
        for sentence in sentences(folded) {
            self.scan_sentence(sentence, found);
        }
    }
}

/// Splits at sentence ends: `。！？!?`, newlines, and a full stop followed by a space (so
/// that `amazon.co.jp` stays whole).
fn sentences(s: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '。' | '！' | '？' | '!' | '?' | '\n' | '．' => true,
            '.' => chars.peek().is_none_or(|(_, n)| n.is_whitespace()),
            _ => false,
        };
        if end {
            let stop = i + c.len_utf8();
            out.push(&s[start..stop]);
            start = stop;
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|x| !x.trim().is_empty())
}

/// NFKC, lower-case, zero-width characters removed, curly apostrophes straightened,
/// whitespace runs (not newlines) collapsed to one space.
pub fn fold(s: &str) -> String {
    fold_inner(s, true)
}

/// [`fold`] without collapsing spaces: the input of [`deobfuscate`], which needs double
/// spaces to find the breaks between spaced-out words.
pub fn fold_keeping_spaces(s: &str) -> String {
    fold_inner(s, false)
}

fn fold_inner(s: &str, collapse: bool) -> String {
    // Most text is already NFKC (the quick check is a table lookup per char): skip the
    // decomposition and recomposition then.
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        let mut space = false;
        for b in s.bytes() {
            if b != b'\n' && b.is_ascii_whitespace() {
                if !space || !collapse {
                    out.push(' ');
                }
                space = true;
            } else {
                out.push(b.to_ascii_lowercase() as char);
                space = false;
            }
        }
        out
    } else if unicode_normalization::is_nfkc_quick(s.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        fold_chars(s.chars(), s.len(), collapse)
    } else {
        fold_chars(s.nfkc(), s.len(), collapse)
    }
}

fn fold_chars(chars: impl Iterator<Item = char>, len: usize, collapse: bool) -> String {
    fn push(out: &mut String, space: &mut bool, collapse: bool, c: char) {
        let c = match c {
            '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' => return,
            '\u{2018}' | '\u{2019}' | '\u{02bc}' => '\'',
            c => c,
        };
        if c != '\n' && c.is_whitespace() {
            if !*space || !collapse {
                out.push(' ');
            }
            *space = true;
        } else {
            out.push(c);
            *space = false;
        }
    }
    let mut out = String::with_capacity(len);
    let mut space = false;
    for c in chars {
        // Kana, CJK ideographs and Hangul have no case: skip the case-mapping table.
        if c.is_ascii() {
            push(&mut out, &mut space, collapse, c.to_ascii_lowercase());
        } else if matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF) {
            push(&mut out, &mut space, collapse, c);
        } else {
            for l in c.to_lowercase() {
                push(&mut out, &mut space, collapse, l);
            }
        }
    }
    out
}

/// Collapses runs of spaces to one: [`fold`] from [`fold_keeping_spaces`] output.
pub(crate) fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Undoes the usual filter dodges on text folded by [`fold_keeping_spaces`]: leetspeak inside words that have letters
/// (`g1ft c4rd`, `amaz0n`), letters spaced out or dotted (`g i f t`, `a.m.a.z.o.n`).
pub fn deobfuscate(folded: &str) -> String {
    fn leet(w: Cow<'_, str>) -> Cow<'_, str> {
        let has_letter = w.bytes().any(|c| c.is_ascii_alphabetic());
        let has_leet = w.bytes().any(|c| b"013457@$".contains(&c));
        if !has_letter || !has_leet {
            return w;
        }
        w.chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'i',
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '7' => 't',
                '@' => 'a',
                '$' => 's',
                c => c,
            })
            .collect::<String>()
            .into()
    }
    fn unspace(w: &str) -> Cow<'_, str> {
        // `a.m.a.z.o.n`, `g-i-f-t`: single characters joined by one separator.
        let seps = w.bytes().filter(|b| b".-_*".contains(b)).count();
        if seps < 2 || w.chars().count() != 2 * seps + 1 {
            return Cow::Borrowed(w);
        }
        let parts: Vec<&str> = w.split(['.', '-', '_', '*']).collect();
        if parts.iter().all(|p| p.chars().count() == 1) {
            Cow::Owned(parts.concat())
        } else {
            Cow::Borrowed(w)
        }
    }
    let mut lines = Vec::new();
    for line in folded.split('\n') {
        let words: Vec<Cow<'_, str>> = line
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| leet(unspace(w)))
            .collect();
        // A double space separates spaced-out words (`g i f t  c a r d`): keep it as a
        // word break by splitting runs there.
        let breaks: Vec<bool> = {
            let mut v = Vec::new();
            let mut prev_empty = false;
            for w in line.split(' ') {
                if w.is_empty() {
                    prev_empty = true;
                } else {
                    v.push(prev_empty);
                    prev_empty = false;
                }
            }
            v
        };
        let mut out = String::with_capacity(line.len());
        let mut i = 0;
        while i < words.len() {
            // A run of three or more one-character words is one spaced-out word.
            let single = |w: &str| {
                let core = w.trim_end_matches([',', ';', ':', '.', '!', '?']);
                core.chars().count() == 1 && core.chars().all(char::is_alphanumeric)
            };
            let mut run = 0;
            while i + run < words.len() && single(&words[i + run]) && (run == 0 || !breaks[i + run])
            {
                run += 1;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            if run >= 3 {
                for w in &words[i..i + run] {
                    out.push_str(w);
                }
                i += run;
            } else {
                out.push_str(&words[i]);
                i += 1;
            }
        }
        lines.push(out);
    }
    lines.join("\n")
}

/// Points of each cue, and the extra points of combinations that scams use. A score of
/// `10 * points` (capped at 100) of 50 or more is `scam`, of 25 or more `suspicious`.
pub(crate) fn score(cues: &[Cue]) -> u8 {
    let has = |c: Cue| cues.contains(&c);
    let any = |cs: &[Cue]| cs.iter().any(|c| cues.contains(c));
    let mut points: f32 = cues
        .iter()
        .map(|c| match c {
            Cue::Urgency => 1.0,
            Cue::AccountThreat => 1.5,
            Cue::PaymentOffSite => 2.5,
            Cue::GiftCard => 1.0,
            Cue::CallNumber => 1.5,
            Cue::RemoteSoftware => 3.0,
            Cue::CredentialRequest => 2.5,
            Cue::RefundLure => 1.5,
            Cue::OrderBrushing => 5.0,
            Cue::FakeOrder => 1.5,
            Cue::LookalikeLink => 3.5,
            Cue::BlocklistedLink | Cue::BlocklistedPhone => 6.0,
        })
        .sum();
    use Cue::*;
    if has(GiftCard) && any(&[CredentialRequest, Urgency, PaymentOffSite, CallNumber]) {
        points += 3.0;
    }
    if has(AccountThreat) && has(PaymentOffSite) {
        points += 1.5;
    }
    if has(RemoteSoftware) && any(&[CallNumber, RefundLure, FakeOrder, AccountThreat]) {
        points += 2.0;
    }
    if has(FakeOrder) && any(&[CallNumber, RefundLure, LookalikeLink, RemoteSoftware]) {
        points += 2.5;
    }
    if has(AccountThreat) && any(&[CredentialRequest, LookalikeLink]) {
        points += 1.5;
    }
    if has(Urgency) && any(&[PaymentOffSite, AccountThreat, CredentialRequest]) {
        points += 1.0;
    }
    if has(RefundLure) && any(&[CredentialRequest, PaymentOffSite, CallNumber]) {
        points += 1.5;
    }
    (points * 10.0).round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_spaces() {
        assert_eq!(fold("ＧＩＦＴ　ＣＡＲＤ\u{200b}s"), "gift cards");
        assert_eq!(fold("ｷﾞﾌﾄｶｰﾄﾞ"), "ギフトカード");
        assert_eq!(fold("Don’t"), "don't");
        let t = "Ｇｉｆｔ   card  ｺｰﾄﾞ";
        assert_eq!(collapse_spaces(&fold_keeping_spaces(t)), fold(t));
    }

    #[test]
    fn undoes_dodges() {
        assert_eq!(deobfuscate("g1ft c4rd"), "gift card");
        assert_eq!(deobfuscate("a m a z o n gift"), "amazon gift");
        assert_eq!(deobfuscate("a.m.a.z.o.n"), "amazon");
        assert_eq!(deobfuscate("call 0120-123-456"), "call 0120-123-456");
        assert_eq!(deobfuscate("ギ フ ト カ ー ド"), "ギフトカード");
        assert_eq!(
            deobfuscate("c a r t e  c a d e a u, ok"),
            "carte cadeau, ok"
        );
    }

    #[test]
    fn sentences_keep_domains_whole() {
        let v: Vec<&str> = sentences("Go to amazon.co.jp. Then call。次").collect();
        assert_eq!(v, ["Go to amazon.co.jp.", " Then call。", "次"]);
    }

    #[test]
    fn lexicon_respects_word_boundaries_and_negation() {
        let lex = Lexicon::builtin().unwrap();
        let cues = |s: &str| {
            let mut v = Vec::new();
            lex.scan(&fold(s), &mut v);
            v
        };
        assert!(cues("Please describe the problem").is_empty());
        assert_eq!(cues("envoyez votre RIB"), [Cue::PaymentOffSite]);
        assert!(cues("Amazon will never ask you to pay with gift cards.").is_empty());
        assert_eq!(cues("Pay with gift cards."), [Cue::GiftCard]);
        assert!(cues("ギフトカードでの支払いを求めることはありません。").is_empty());
    }

    #[test]
    fn combinations_score_higher() {
        assert!(score(&[Cue::GiftCard]) < 25);
        assert!(score(&[Cue::GiftCard, Cue::CredentialRequest]) >= 50);
        assert!(score(&[Cue::RemoteSoftware, Cue::CallNumber]) >= 50);
        assert_eq!(score(&[]), 0);
    }
}
