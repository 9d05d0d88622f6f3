//! Data-quality signals: placeholder names, phones and emails, the shop's own contacts
//! typed in as the buyer's, and missing addresses.
//!
//! These make the score unreliable rather than high: an order full of placeholders may be
//! a fraudster's, or a shop's test, or a phone order keyed in by staff. They are reported
//! as [`DataQuality`] codes, apart from the reasons.
//!
//! ```
//! use mikiwame::signals::dummy::{is_dummy_email, is_dummy_name, is_dummy_phone};
//!
//! assert!(is_dummy_name("購入者") && is_dummy_name("ＴＥＳＴ") && is_dummy_name("ああああ"));
//! assert!(is_dummy_phone("00-0000-0000") && is_dummy_phone("090-1234-5678"));
//! assert!(!is_dummy_phone("090-3141-5926"));
//! assert!(is_dummy_email("test@test.com") && is_dummy_email("a@a.com"));
//! assert!(!is_dummy_email("hanako.sato@gmail.com"));
//! ```

use crate::address::fold::fold_width_chars;
use rustc_hash::FxHashSet as HashSet;
use std::sync::OnceLock;

use super::names::{data_lines, fold_name};
use super::{DataQuality, Facts};
use crate::contact::normalize_email;
use crate::order::Order;
use crate::shop::Shop;

fn set(text: &'static str, fold: fn(&str) -> String) -> HashSet<String> {
    data_lines(text).map(fold).collect()
}

fn placeholder_names() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| set(include_str!("../../data/placeholder_names.txt"), fold_name))
}

fn placeholder_domains() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        set(
            include_str!("../../data/placeholder_email_domains.txt"),
            |s| s.trim().to_ascii_lowercase(),
        )
    })
}

fn placeholder_locals() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        set(
            include_str!("../../data/placeholder_email_locals.txt"),
            |s| s.trim().to_ascii_lowercase(),
        )
    })
}

/// True when a name is a placeholder: a word from `data/placeholder_names.txt` (購入者,
/// テスト, test, 名無し, ああああ …). Other repeated characters (ｱｱｱ) are left to
/// [`is_gibberish`](super::names::is_gibberish): they are joke names, not placeholders.
pub fn is_dummy_name(name: &str) -> bool {
    is_dummy_folded(&fold_name(name))
}

/// [`is_dummy_name`] on a name already folded with [`fold_name`].
pub(crate) fn is_dummy_folded(folded: &str) -> bool {
    !folded.is_empty() && placeholder_names().contains(folded)
}

/// True when a phone number is a placeholder: all one digit (00-0000-0000,
/// 000-0000-0000), or a last eight digits that are one digit repeated or a straight run
/// up or down (090-1234-5678, 03-8765-4321).
pub fn is_dummy_phone(phone: &str) -> bool {
    // Folding ASCII text changes no digit and makes none: read the digits in place.
    if phone.is_ascii() {
        let mut buf = [0u8; 64];
        let mut n = 0;
        for b in phone.bytes().filter(u8::is_ascii_digit) {
            if n == buf.len() {
                return dummy_digits(&slow_digits(phone));
            }
            buf[n] = b - b'0';
            n += 1;
        }
        return dummy_digits(&buf[..n]);
    }
    dummy_digits(&slow_digits(phone))
}

fn slow_digits(phone: &str) -> Vec<u8> {
    fold_width_chars(phone)
        .into_iter()
        .filter(char::is_ascii_digit)
        .map(|c| c as u8 - b'0')
        .collect()
}

fn dummy_digits(digits: &[u8]) -> bool {
    if digits.len() < 6 {
        return false;
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return true;
    }
    if digits.len() < 10 {
        return false;
    }
    let tail = &digits[digits.len() - 8..];
    let all_same = tail.iter().all(|d| *d == tail[0]);
    let up = tail.windows(2).all(|w| w[1] == (w[0] + 1) % 10);
    let down = tail.windows(2).all(|w| w[0] == (w[1] + 1) % 10);
    all_same || up || down
}

/// True when an email is a placeholder or no email at all: not parseable, a placeholder
/// domain (`data/placeholder_email_domains.txt`, RFC 2606/6761 reserved names), a
/// placeholder local part (test, dummy, noreply …), or a local part and domain that are
/// both one repeated character (a@a.com, xx@xx.jp).
pub fn is_dummy_email(email: &str) -> bool {
    if email.trim().is_empty() {
        return false;
    }
    match normalize_email(email) {
        Some(norm) => is_dummy_normalized_email(&norm),
        None => true,
    }
}

/// [`is_dummy_email`] of an address already through [`normalize_email`].
pub(crate) fn is_dummy_normalized_email(norm: &str) -> bool {
    let Some((local, domain)) = crate::ascii::rsplit_once(norm, b'@') else {
        return true;
    };
    let reserved = domain.starts_with("example.")
        || [".example", ".test", ".invalid", ".localhost", ".local"]
            .iter()
            .any(|s| domain.ends_with(s));
    // The domain and each parent with at least two labels (a normalized domain has no
    // empty label), without building the strings.
    let listed = {
        let mut rest = domain;
        let mut found = false;
        while let Some((_, parent)) = crate::ascii::split_once(rest, b'.') {
            if placeholder_domains().contains(rest) {
                found = true;
                break;
            }
            rest = parent;
        }
        found
    };
    let one_char = |s: &str| {
        let mut cs = s.chars();
        let first = cs.next();
        first.is_some() && cs.all(|c| Some(c) == first)
    };
    let first_label = domain.split('.').next().unwrap_or("");
    reserved
        || listed
        || placeholder_locals().contains(local)
        || (one_char(local) && one_char(first_label))
}

/// Adds the data-quality codes of one order.
pub(crate) fn check(order: &Order, facts: &Facts, shop: &Shop, out: &mut Vec<DataQuality>) {
    let parties = || order.buyer.iter().chain(order.shipping.iter());
    if facts.names.dummy {
        out.push(DataQuality::DummyName);
    }
    if parties()
        .filter_map(|p| p.phone.as_deref())
        .any(is_dummy_phone)
    {
        out.push(DataQuality::DummyPhone);
    }
    // `facts.emails` holds every address that normalizes; the others are dummies.
    if facts.unreadable_email || facts.emails.iter().any(|e| is_dummy_normalized_email(e)) {
        out.push(DataQuality::DummyEmail);
    }
    let shop_name = facts
        .folded_names
        .iter()
        .flatten()
        .any(|n| shop.is_shop_name(n));
    if shop_name
        || facts.phones.iter().any(|p| shop.is_shop_phone(&p.e164))
        || facts.emails.iter().any(|e| shop.is_shop_email(e))
    {
        out.push(DataQuality::ShopContactAsBuyer);
    }
    if !parties().any(|p| p.address.is_some()) {
        out.push(DataQuality::MissingAddress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_names() {
        for n in [
            "購入者",
            "テスト",
            "ﾃｽﾄ",
            "test",
            "Test User",
            "名無し",
            "ああああ",
            "xxxx",
            "ダミー",
            "john doe",
        ] {
            assert!(is_dummy_name(n), "{n}");
        }
        for n in [
            "佐藤花子",
            "もも",
            "りり",
            "Lee",
            "Tess",
            "テスト山田",
            "奈々",
            "",
        ] {
            assert!(!is_dummy_name(n), "{n}");
        }
    }

    #[test]
    fn dummy_phones() {
        for p in [
            "00-0000-0000",
            "000-0000-0000",
            "090-0000-0000",
            "03-1111-1111",
            "090-1234-5678",
            "080-8765-4321",
            "0123456789",
            "+81 90 1234 5678",
            "１１１１１１１１１１",
        ] {
            assert!(is_dummy_phone(p), "{p}");
        }
        for p in [
            "090-3141-5926",
            "03-5555-1234",
            "06-6345-6789",
            "0120-123-456",
            "12345",
            "",
        ] {
            assert!(!is_dummy_phone(p), "{p}");
        }
    }

    #[test]
    fn dummy_emails() {
        for e in [
            "test@test.com",
            "a@a.com",
            "xx@xx.jp",
            "taro@example.com",
            "taro@mail.example.co.jp",
            "hanako@shop.test",
            "dummy@gmail.com",
            "noreply@docomo.ne.jp",
            "no email",
            "taro@",
        ] {
            assert!(is_dummy_email(e), "{e}");
        }
        for e in [
            "hanako.sato@gmail.com",
            "a@docomo.ne.jp",
            "tester.jp@gmail.com",
            "examplejp@yahoo.co.jp",
            "",
        ] {
            assert!(!is_dummy_email(e), "{e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn phone_fast_path_equals_folded(p in "[0-9０-９ ()+-]{0,20}|[ -~]{0,80}|\\PC{0,20}") {
            proptest::prop_assert_eq!(is_dummy_phone(&p), dummy_digits(&slow_digits(&p)));
        }
    }
}
