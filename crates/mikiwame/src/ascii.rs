//! Splitting text at an ASCII separator (`@`, `.`) by its byte, and trimming, for the
//! short strings that every order carries (emails, domains, IDs, timestamps).
//!
//! `str::split_once(char)` and `rsplit_once` build a character searcher and call
//! `memchr`; on a 20-byte email that set-up costs several times the search (callgrind
//! counted about 230 instructions for one `rsplit_once('@')`, and the scorer split each
//! email three times). A plain byte loop is a few instructions per byte. An ASCII byte
//! never occurs inside a multi-byte UTF-8 character, so its position is always a character
//! boundary and the halves are valid `str` slices.

/// Splits `s` at the first `sep`, which must be ASCII: the text before and after it.
#[inline]
pub(crate) fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let i = s.bytes().position(|b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

/// Splits `s` at the last `sep`, which must be ASCII: the text before and after it.
#[inline]
pub(crate) fn rsplit_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let i = s.bytes().rposition(|b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

/// True when `s` contains the ASCII byte `b`.
#[inline]
pub(crate) fn contains(s: &str, b: u8) -> bool {
    debug_assert!(b.is_ascii());
    s.bytes().any(|x| x == b)
}

/// `s.trim()`, after a quick look at its first and last characters: nearly every field
/// arrives without surrounding whitespace, and `str::trim`'s double-ended character
/// search cost 50 to 70 instructions even then (it ran about twenty times per order).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    // Printable ASCII at both ends (IDs, emails, phones, timestamps): no whitespace there,
    // and no character to decode.
    let is_printable = |b: &u8| (0x21..0x80).contains(b);
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(is_printable) && bytes.last().is_some_and(is_printable) {
        return s;
    }
    let mut chars = s.chars();
    let first = chars.next();
    let last = chars.next_back().or(first);
    match (first, last) {
        (Some(f), Some(l)) if !f.is_whitespace() && !l.is_whitespace() => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The byte splits agree with the standard library's character splits on any text,
        /// multi-byte characters included.
        #[test]
        fn agree_with_std(s in "[a-z@.あ日😀]{0,12}", sep in prop::sample::select(vec![b'@', b'.'])) {
            let c = char::from(sep);
            prop_assert_eq!(split_once(&s, sep), s.split_once(c));
            prop_assert_eq!(rsplit_once(&s, sep), s.rsplit_once(c));
            prop_assert_eq!(contains(&s, sep), s.contains(c));
        }

        /// The quick trim equals `str::trim` with every kind of whitespace around or inside.
        #[test]
        fn trim_equals_std(s in "[ a~\t\n\u{b}\u{c}\r\u{7f}\u{3000}\u{a0}\u{2003}\u{85}日]{0,8}") {
            prop_assert_eq!(trim(&s), s.trim());
        }
    }

    #[test]
    fn splits_at_the_right_separator() {
        assert_eq!(rsplit_once("a@b@c.jp", b'@'), Some(("a@b", "c.jp")));
        assert_eq!(split_once("a@b@c.jp", b'@'), Some(("a", "b@c.jp")));
        assert_eq!(split_once("日本@例.jp", b'@'), Some(("日本", "例.jp")));
        assert_eq!(rsplit_once("none", b'@'), None);
        assert!(!contains("", b'.'));
    }
}
