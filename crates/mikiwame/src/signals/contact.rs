//! Contact signals: `invalid_phone`, `disposable_email`, `random_email`.
//!
//! ```
//! use mikiwame::signals::contact::{is_disposable_domain, is_random_local_part};
//!
//! assert!(is_disposable_domain("mailinator.com"));
//! assert!(is_disposable_domain("eu.mailinator.com"));
//! assert!(!is_disposable_domain("gmail.com"));
//! assert!(is_random_local_part("x7kq9zt2vw"));
//! assert!(!is_random_local_part("taro.yamada1985"));
//! ```

use std::sync::OnceLock;

use super::{domain_filter, Facts, Hit, ReasonCode};

/// The disposable-mail domains, from the PyPI package `disposable-email-domains` (see
/// `data/README.md` for version, source and licence), as an fst set that `build.rs` builds
/// at compile time (building it at first use cost more than scoring thousands of orders).
fn disposable_set() -> Option<&'static fst::Set<&'static [u8]>> {
    static BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/disposable_domains.fst"));
    static SET: OnceLock<Option<fst::Set<&'static [u8]>>> = OnceLock::new();
    // The bytes were written by our own build script: a failure here is a build bug, and
    // the harmless fallback is an empty set.
    SET.get_or_init(|| fst::Set::new(BYTES).ok()).as_ref()
}

/// A Bloom filter of the listed domains (written by `build.rs`; see [`domain_filter`]): a
/// clear bit means "not listed" without a walk of the automaton; two set bits are decided
/// by the set (about one unlisted domain in 180 has both).
static DOMAIN_FILTER: &[u8; domain_filter::BITS / 8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/disposable_domains.filter"));

/// True when `domain` may be listed: false means it is not.
fn may_be_listed(domain: &str) -> bool {
    domain_filter::bits_of(domain)
        .iter()
        .all(|bit| DOMAIN_FILTER[bit / 8] & (1 << (bit % 8)) != 0)
}

/// True when `domain` or one of its parent domains is a disposable-mail service.
pub fn is_disposable_domain(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.');
    // A copy only for a domain with capitals (scoring calls `is_disposable_normalized`).
    let domain: std::borrow::Cow<'_, str> = if domain.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(domain.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(domain)
    };
    is_disposable_normalized(&domain)
}

/// [`is_disposable_domain`] of a domain as [`crate::contact::normalize_email`] leaves it:
/// trimmed, in lower case, without a trailing dot.
fn is_disposable_normalized(domain: &str) -> bool {
    let Some(set) = disposable_set() else {
        return false;
    };
    let mut rest = domain;
    loop {
        if may_be_listed(rest) && set.contains(rest) {
            return true;
        }
        match crate::ascii::split_once(rest, b'.') {
            Some((_, parent)) if crate::ascii::contains(parent, b'.') => rest = parent,
            _ => return false,
        }
    }
}

/// True when an email's local part looks machine-generated: eight or more characters and
/// a run of five consonants (xkcdqz), or four or more switches between letters and digits
/// (a8f3k2m9), or twelve or more hexadecimal characters mixing letters and digits.
/// Separators (`.`, `_`, `-`) are ignored; names with dates (taro1985, k.sato_0312) pass.
pub fn is_random_local_part(local: &str) -> bool {
    // One pass over the ASCII letters and digits (lower-cased), without collecting them:
    // this runs on every email.
    let mut len = 0;
    let (mut run, mut longest, mut switches) = (0, 0, 0);
    let (mut all_hex, mut any_digit, mut any_letter) = (true, false, false);
    let mut previous_digit: Option<bool> = None;
    for b in local.bytes().filter(u8::is_ascii_alphanumeric) {
        let c = b.to_ascii_lowercase();
        len += 1;
        let consonant = c.is_ascii_alphabetic() && !b"aeiouy".contains(&c);
        run = if consonant { run + 1 } else { 0 };
        longest = longest.max(run);
        let digit = c.is_ascii_digit();
        switches += usize::from(previous_digit.is_some_and(|p| p != digit));
        previous_digit = Some(digit);
        all_hex &= c.is_ascii_hexdigit();
        any_digit |= digit;
        any_letter |= !digit;
    }
    if len < 8 {
        return false;
    }
    let hex = len >= 12 && all_hex && any_digit && any_letter;
    longest >= 5 || switches >= 4 || hex
}

/// Adds the contact reasons of one order.
pub(crate) fn check(facts: &Facts, out: &mut Vec<Hit>) {
    if facts.invalid_phone {
        out.push(Hit::new(ReasonCode::InvalidPhone));
    }
    let (mut disposable, mut random) = (false, false);
    for (local, domain) in facts
        .emails
        .iter()
        .filter_map(|e| crate::ascii::rsplit_once(e, b'@'))
    {
        disposable = disposable || is_disposable_normalized(domain);
        random = random || is_random_local_part(local);
    }
    if disposable {
        out.push(Hit::new(ReasonCode::DisposableEmail));
    }
    if random {
        out.push(Hit::new(ReasonCode::RandomEmail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposable() {
        for d in [
            "mailinator.com",
            "guerrillamail.com",
            "Mailinator.COM",
            "x.y.mailinator.com",
        ] {
            assert!(is_disposable_domain(d), "{d}");
        }
        // The list is embedded whole: every listed domain is found.
        let listed = include_str!("../../data/disposable_domains.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        assert!(listed.clone().count() > 1000);
        for d in listed {
            assert!(is_disposable_domain(d), "{d}");
        }
        for d in [
            "gmail.com",
            "yahoo.co.jp",
            "docomo.ne.jp",
            "ezweb.ne.jp",
            "icloud.com",
            "com",
            "",
        ] {
            assert!(!is_disposable_domain(d), "{d}");
        }
    }

    /// The definition `is_random_local_part` must keep: on the letters and digits,
    /// collected.
    fn random_local_model(local: &str) -> bool {
        let s: Vec<char> = local
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if s.len() < 8 {
            return false;
        }
        let is_consonant = |c: char| c.is_ascii_alphabetic() && !"aeiouy".contains(c);
        let (mut run, mut longest) = (0, 0);
        for &c in &s {
            run = if is_consonant(c) { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let switches = s
            .windows(2)
            .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
            .count();
        let hex = s.len() >= 12
            && s.iter().all(char::is_ascii_hexdigit)
            && s.iter().any(char::is_ascii_digit)
            && s.iter().any(char::is_ascii_alphabetic);
        longest >= 5 || switches >= 4 || hex
    }

    proptest::proptest! {
        #[test]
        fn random_local_agrees_with_its_model(local in "[a-zA-Z0-9._+é-]{0,24}") {
            proptest::prop_assert_eq!(is_random_local_part(&local), random_local_model(&local));
        }
    }

    #[test]
    fn every_listed_domain_passes_the_filter() {
        use fst::{IntoStreamer, Streamer};
        let set = disposable_set().unwrap();
        let mut stream = set.into_stream();
        let mut n = 0;
        while let Some(key) = stream.next() {
            let domain = std::str::from_utf8(key).unwrap();
            assert!(may_be_listed(domain), "{domain}");
            n += 1;
        }
        assert!(n > 1000, "{n}");
        // And it turns nearly all other domains away (about one in 180 passes).
        let passed = (0..10_000)
            .filter(|i| may_be_listed(&format!("shop{i}.example.jp")))
            .count();
        assert!(passed < 150, "{passed}");
    }

    #[test]
    fn random_locals() {
        for l in [
            "x7kq9zt2vw",
            "qwrtzpkl",
            "a8f3k2m9p",
            "3f9a1b2c4d5e6f70",
            "bcdfghjk",
        ] {
            assert!(is_random_local_part(l), "{l}");
        }
        for l in [
            "taro.yamada",
            "taro.yamada1985",
            "k.sato_0312",
            "hanako",
            "yamachan2020",
            "info",
            "matsumoto.shinichiro",
            "schwarz.j",
            "tanaka-kenichi",
            "a1b2",
        ] {
            assert!(!is_random_local_part(l), "{l}");
        }
    }
}
