//! Splitting text at an ASCII separator (`@`, `.`) by its byte, for the short strings that
//! every order carries (emails, domains).
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
