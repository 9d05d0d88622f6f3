//! Email addresses and phone numbers: parsing and the canonical forms used as keys.
//!
//! Every part of mikiwame that compares contacts (the fraud index, the order signals,
//! impersonation screening) goes through [`normalize_email`] and [`parse_phone`], so that
//! one contact has one key everywhere.
//!
//! ```
//! use mikiwame::contact::{normalize_email, parse_phone, PhoneKind};
//!
//! assert_eq!(normalize_email(" Taro.Yamada+shop@GMail.com ").as_deref(), Some("taroyamada@gmail.com"));
//! let p = parse_phone("０９０－１２３４－５６７８", None).unwrap();
//! assert_eq!(p.e164, "+819012345678");
//! assert_eq!(p.kind, PhoneKind::Mobile);
//! ```

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Mail providers that ignore dots in the local part (so `t.aro` and `taro` are one box).
const DOTLESS_PROVIDERS: &[&str] = &["gmail.com", "googlemail.com"];

/// Canonical form of an email address: trimmed, NFKC, lower-case, plus-tag dropped, dots
/// dropped for providers that ignore them, `googlemail.com` read as `gmail.com`.
///
/// Returns `None` when the input is not an address (no `@`, empty parts, spaces inside,
/// no dot in the domain, or only dots before the `@` at a provider that ignores them).
///
/// ```
/// use mikiwame::contact::normalize_email;
/// assert_eq!(normalize_email("A.B+x@example.co.jp").as_deref(), Some("a.b@example.co.jp"));
/// assert_eq!(normalize_email("not an email"), None);
/// assert_eq!(normalize_email(".@gmail.com"), None);
/// ```
pub fn normalize_email(input: &str) -> Option<String> {
    // Plain ASCII (nearly every address) needs no Unicode folding, and an address already
    // in lower case is borrowed as it is: one allocation per address, for the result.
    let trimmed = crate::ascii::trim(input);
    let folded: std::borrow::Cow<'_, str> = if !trimmed.is_ascii() {
        std::borrow::Cow::Owned(trimmed.nfkc().collect::<String>().to_lowercase())
    } else if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    };
    let (local, domain) = crate::ascii::rsplit_once(&folded, b'@')?;
    let domain = domain.trim_end_matches('.');
    // Byte pairs, not `str::contains("..")`: a substring search's set-up costs more than
    // the whole check on a short domain.
    let double_dot = domain.as_bytes().windows(2).any(|w| w == b"..");
    let spaced = if folded.is_ascii() {
        folded.bytes().any(|b| b <= b' ' || b == 0x7F)
    } else {
        folded.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if local.is_empty()
        || domain.is_empty()
        || !crate::ascii::contains(domain, b'.')
        || domain.starts_with('.')
        || double_dot
        || spaced
        || crate::ascii::contains(local, b'@')
    {
        return None;
    }
    let local = crate::ascii::split_once(local, b'+').map_or(local, |(l, _)| l);
    if local.is_empty() {
        return None;
    }
    let domain = if domain == "googlemail.com" {
        "gmail.com"
    } else {
        domain
    };
    let mut out = String::with_capacity(local.len() + 1 + domain.len());
    if DOTLESS_PROVIDERS.contains(&domain) {
        out.extend(local.split('.'));
        if out.is_empty() {
            // Only dots (`.@gmail.com`): no mailbox is left.
            return None;
        }
    } else {
        out.push_str(local);
    }
    out.push('@');
    out.push_str(domain);
    Some(out)
}

/// What kind of line a phone number is, as far as the numbering plan tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PhoneKind {
    /// A fixed (landline) number.
    FixedLine,
    /// A mobile number (in Japan 070, 080, 090).
    Mobile,
    /// Fixed or mobile; the plan does not tell.
    FixedLineOrMobile,
    /// Toll-free (0120, 0800).
    TollFree,
    /// Premium rate (0990).
    PremiumRate,
    /// Shared cost (0570 navi-dial).
    SharedCost,
    /// Voice over IP (in Japan 050).
    Voip,
    /// A personal number, pager, UAN or other special service.
    Other,
    /// Not a number in any plan.
    Unknown,
}

impl PhoneKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::FixedLine => "fixed_line",
            PhoneKind::Mobile => "mobile",
            PhoneKind::FixedLineOrMobile => "fixed_line_or_mobile",
            PhoneKind::TollFree => "toll_free",
            PhoneKind::PremiumRate => "premium_rate",
            PhoneKind::SharedCost => "shared_cost",
            PhoneKind::Voip => "voip",
            PhoneKind::Other => "other",
            PhoneKind::Unknown => "unknown",
        }
    }
}

/// A parsed phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 form (`+819012345678`).
    pub e164: String,
    /// The line type.
    pub kind: PhoneKind,
    /// True when the number is valid in its country's numbering plan.
    pub valid: bool,
    /// The ISO 3166 region, when known (`JP`).
    pub region: Option<String>,
}

/// Why a phone number could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// No digits at all.
    #[error("no digits in the phone number")]
    Empty,
    /// The digits do not form a number in any plan.
    #[error("not a phone number: {0}")]
    NotANumber(String),
    /// The region hint is not an ISO 3166 alpha-2 code.
    #[error("unknown region `{0}`: use an ISO 3166 alpha-2 code such as JP or FR")]
    UnknownRegion(String),
}

/// Parses a phone number as written by a person: full-width digits, `tel:` prefixes,
/// hyphens, brackets and spaces, international prefixes (`+81`, `0081`, `010-81`, `00-81`).
///
/// `region` is the ISO 3166 alpha-2 code for numbers written in national form; it defaults
/// to Japan.
///
/// ```
/// use mikiwame::contact::{parse_phone, PhoneKind};
/// let p = parse_phone("tel:050-1234-5678", None).unwrap();
/// assert_eq!((p.e164.as_str(), p.kind), ("+815012345678", PhoneKind::Voip));
/// assert_eq!(parse_phone("010-81-3-1234-5678", None).unwrap().e164, "+81312345678");
/// assert_eq!(parse_phone("01 23 45 67 89", Some("FR")).unwrap().e164, "+33123456789");
/// assert!(parse_phone("abc", None).is_err());
/// ```
pub fn parse_phone(input: &str, region: Option<&str>) -> Result<Phone, PhoneError> {
    if let Some(phone) = japanese_fast_path(input, region) {
        return Ok(phone);
    }
    let parsed = parse_number(input, region)?;
    let valid = phonenumber::is_valid(&parsed);
    use phonenumber::Type;
    let kind = if !valid {
        PhoneKind::Unknown
    } else {
        match parsed.number_type(&phonenumber::metadata::DATABASE) {
            Type::FixedLine => PhoneKind::FixedLine,
            Type::Mobile => PhoneKind::Mobile,
            Type::FixedLineOrMobile => PhoneKind::FixedLineOrMobile,
            Type::TollFree => PhoneKind::TollFree,
            Type::PremiumRate => PhoneKind::PremiumRate,
            Type::SharedCost => PhoneKind::SharedCost,
            Type::Voip => PhoneKind::Voip,
            Type::Unknown => PhoneKind::Unknown,
            _ => PhoneKind::Other,
        }
    };
    let e164 = e164_of(&parsed);
    Ok(Phone {
        e164,
        kind,
        valid,
        region: parsed.country().id().map(|id| format!("{id:?}")),
    })
}

/// The E.164 form of a number as [`parse_phone`] reads it, without checking it against
/// the numbering plan or finding its line type: about a fifth of the cost, for lookups
/// of many numbers (numbers found in message text) where only the key matters.
///
/// ```
/// assert_eq!(mikiwame::contact::phone_e164("０５０-1234-5678", None).unwrap(), "+815012345678");
/// ```
pub fn phone_e164(input: &str, region: Option<&str>) -> Result<String, PhoneError> {
    let parsed = parse_number(input, region)?;
    Ok(e164_of(&parsed))
}

/// E.164 is `+`, the country code and the national significant number. Written directly:
/// phonenumber's formatter picks a national format by regex first (wasted work for E.164)
/// and fails (a panic in `to_string`) for a country code missing from its metadata.
fn e164_of(parsed: &phonenumber::PhoneNumber) -> String {
    format!("+{}{}", parsed.country().code(), parsed.national())
}

/// The shared front half of [`parse_phone`] and [`phone_e164`].
fn parse_number(input: &str, region: Option<&str>) -> Result<phonenumber::PhoneNumber, PhoneError> {
    let folded: String = input.nfkc().collect();
    let trimmed = folded.trim();
    let trimmed = trimmed
        .strip_prefix("tel:")
        .or_else(|| trimmed.strip_prefix("TEL:"))
        .unwrap_or(trimmed);
    let plus = trimmed.trim_start().starts_with('+');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    if digits.len() > 17
        || trimmed
            .chars()
            .any(|c| c.is_alphabetic() && !matches!(c, 'ー' | 'ｰ' | '〜'))
    {
        return Err(PhoneError::NotANumber(input.chars().take(40).collect()));
    }
    let region_id = match region {
        None => phonenumber::country::Id::JP,
        Some(r) => r
            .trim()
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .map_err(|_| PhoneError::UnknownRegion(r.to_string()))?,
    };
    // International call prefixes depend on where the number is dialled from: 010 from
    // Japan, 011 from the NANP (US, Canada), 00 from most of the world. A French
    // 01 02 03 04 05 must not lose its "010" as if it were Japan's prefix.
    use phonenumber::country::Id;
    let nanp = matches!(region_id, Id::US | Id::CA);
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits
            .strip_prefix("010")
            .filter(|_| region_id == Id::JP)
            .or_else(|| digits.strip_prefix("011").filter(|_| nanp))
            .or_else(|| {
                digits
                    .strip_prefix("00")
                    .filter(|r| !nanp && !r.starts_with('0'))
            })
    };
    let parsed = match &international {
        Some(intl) => phonenumber::parse(None, format!("+{intl}")),
        None => phonenumber::parse(Some(region_id), &digits),
    }
    .map_err(|_| PhoneError::NotANumber(input.chars().take(40).collect()))?;
    Ok(parsed)
}

/// Japanese numbers in their everyday shapes, classified from the numbering plan's
/// prefixes without libphonenumber.
///
/// Why: libphonenumber's regex metadata makes a parse cost microseconds, and the `phonenumber`
/// crate keeps its compiled regexes behind one global mutex, so scoring threads queue on it.
/// Almost every number a Japanese shop sees is one of the shapes below (MIC's numbering
/// plan); anything else — other countries, international prefixes, unusual service
/// numbers — takes the full path. A test checks that both paths agree on these shapes.
///
/// | prefix | digits | kind |
/// |---|---|---|
/// | 070, 080 (not 0800), 090 | 11 | mobile |
/// | 050 | 11 | VoIP |
/// | 0120 | 10 | toll-free |
/// | 0800 | 11 | toll-free |
/// | 0570 | 10 | other (navi-dial, a UAN to libphonenumber) |
/// | 0990 | 10 | premium rate |
/// | 0 + area code (not 0x0) | 10 | fixed line |
fn japanese_fast_path(input: &str, region: Option<&str>) -> Option<Phone> {
    if region.is_some_and(|r| !r.trim().eq_ignore_ascii_case("JP")) {
        return None;
    }
    let mut digits = [0u8; 16];
    let mut n = 0;
    let mut plus = false;
    for (i, c) in crate::ascii::trim(input).chars().enumerate() {
        let d = match c {
            '0'..='9' => c as u8 - b'0',
            '０'..='９' => (c as u32 - '０' as u32) as u8,
            '+' | '＋' if i == 0 => {
                plus = true;
                continue;
            }
            '-' | ' ' | '(' | ')' | '.' | '‐' | '‑' | '–' | '—' | '−' | 'ー' | '－' | '（'
            | '）' | '\u{3000}' => continue,
            _ => return None,
        };
        if n == digits.len() {
            return None;
        }
        digits[n] = d;
        n += 1;
    }
    // National form 0…, or +81 followed by the number without its leading 0: rewritten in
    // place, the 0 over the 1 of 81.
    let national: &[u8] = if plus {
        if n < 3 || digits[0] != 8 || digits[1] != 1 || digits[2] == 0 {
            return None;
        }
        digits[1] = 0;
        &digits[1..n]
    } else {
        &digits[..n]
    };
    if national.len() < 10 || national[0] != 0 || national[1] == 0 {
        return None;
    }
    let p = |s: &[u8]| national.starts_with(s);
    let kind = match national.len() {
        11 if p(&[0, 8, 0, 0]) => PhoneKind::TollFree,
        11 if p(&[0, 7, 0]) || p(&[0, 8, 0]) || p(&[0, 9, 0]) => PhoneKind::Mobile,
        11 if p(&[0, 5, 0]) => PhoneKind::Voip,
        10 if p(&[0, 1, 2, 0]) => PhoneKind::TollFree,
        10 if p(&[0, 5, 7, 0]) => PhoneKind::Other,
        10 if p(&[0, 9, 9, 0]) => PhoneKind::PremiumRate,
        // 0x0 prefixes are not area codes (mobile, IP, services); 01x0 are services too.
        10 if national[2] != 0 && !(national[1] == 1 && national[3] == 0) => PhoneKind::FixedLine,
        _ => return None,
    };
    let mut e164 = String::with_capacity(13);
    e164.push_str("+81");
    for d in &national[1..] {
        e164.push(char::from(b'0' + d));
    }
    Some(Phone {
        e164,
        kind,
        valid: true,
        region: Some("JP".to_string()),
    })
}

/// The E.164 key of a phone number, or `None` when it cannot be read.
///
/// ```
/// assert_eq!(mikiwame::contact::normalize_phone("+81 90 1234 5678").as_deref(), Some("+819012345678"));
/// ```
pub fn normalize_phone(input: &str) -> Option<String> {
    parse_phone(input, None).ok().map(|p| p.e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path must say exactly what libphonenumber says for the shapes it takes.
    #[test]
    fn fast_path_agrees_with_libphonenumber() {
        let numbers = [
            "090-1234-5678",
            "080-2718-2818",
            "070-1414-2135",
            "050-1234-5678",
            "0120-123-456",
            "0800-123-4567",
            "0570-000-123",
            "0990-123-456",
            "03-1234-5678",
            "06-6345-1209",
            "011-231-4111",
            "045-671-2121",
            "092-711-4111",
            "0995-22-1111",
            "0166-26-1111",
            "+81 90 1234 5678",
            "+81-3-1234-5678",
            "０９０－１２３４－５６７８",
            "(03) 5555-0123",
        ];
        for s in numbers {
            let fast = japanese_fast_path(s, None).unwrap_or_else(|| panic!("{s}: not fast"));
            let parsed = parse_number(s, None).unwrap();
            assert_eq!(fast.e164, e164_of(&parsed), "{s}");
            assert!(phonenumber::is_valid(&parsed), "{s}");
            let slow_kind = match parsed.number_type(&phonenumber::metadata::DATABASE) {
                phonenumber::Type::FixedLine => PhoneKind::FixedLine,
                phonenumber::Type::Mobile => PhoneKind::Mobile,
                phonenumber::Type::TollFree => PhoneKind::TollFree,
                phonenumber::Type::PremiumRate => PhoneKind::PremiumRate,
                phonenumber::Type::SharedCost => PhoneKind::SharedCost,
                phonenumber::Type::Voip => PhoneKind::Voip,
                _ => PhoneKind::Other,
            };
            assert_eq!(fast.kind, slow_kind, "{s}");
        }
        // Shapes the fast path leaves to libphonenumber.
        for s in [
            "00-0000-0000",
            "0081 90 1234 5678",
            "+33 1 23 45 67 89",
            "090-1234",
            "tel:0312345678",
        ] {
            assert!(japanese_fast_path(s, None).is_none(), "{s}");
        }
        assert!(japanese_fast_path("01 23 45 67 89", Some("FR")).is_none());
    }

    #[test]
    fn japanese_formats_agree() {
        let forms = [
            "090-1234-5678",
            "09012345678",
            "(090)1234-5678",
            "+81-90-1234-5678",
            "0081 90 1234 5678",
            "０９０ー１２３４ー５６７８",
        ];
        for f in forms {
            assert_eq!(normalize_phone(f).as_deref(), Some("+819012345678"), "{f}");
        }
    }

    #[test]
    fn kinds() {
        let kind = |s| parse_phone(s, None).unwrap().kind;
        assert_eq!(kind("03-1234-5678"), PhoneKind::FixedLine);
        assert_eq!(kind("0120-123-456"), PhoneKind::TollFree);
        assert_eq!(kind("080-1234-5678"), PhoneKind::Mobile);
        assert_eq!(kind("070-1234-5678"), PhoneKind::Mobile);
        assert_eq!(
            parse_phone("01 02 03 04 05", Some("FR")).unwrap().e164,
            "+33102030405"
        );
        assert_eq!(
            parse_phone("011 81 3 1234 5678", Some("US")).unwrap().e164,
            "+81312345678"
        );
        assert!(!parse_phone("00-0000-0000", None)
            .map(|p| p.valid)
            .unwrap_or(false));
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email("t.a.r.o@googlemail.com").as_deref(),
            Some("taro@gmail.com")
        );
        assert_eq!(
            normalize_email("Taro@Example.JP").as_deref(),
            Some("taro@example.jp")
        );
        assert_eq!(normalize_email("@example.jp"), None);
        assert_eq!(normalize_email("taro@localhost"), None);
        assert_eq!(normalize_email("ta ro@example.jp"), None);
        assert_eq!(normalize_email("+tag@example.jp"), None);
        assert_eq!(normalize_email("taro@example..jp"), None);
        assert_eq!(normalize_email("taro@.example.jp"), None);
        assert_eq!(normalize_email("ta\u{7f}ro@example.jp"), None);
        assert_eq!(normalize_email("ta\u{1}ro@example.jp"), None);
        assert_eq!(
            normalize_email("taro@example.jp.."),
            Some("taro@example.jp".into())
        );
    }

    /// The allocation-heavy form `normalize_email` had before its fast path: the
    /// reference the fast path must agree with.
    fn reference_normalize_email(input: &str) -> Option<String> {
        let folded: String = if input.is_ascii() {
            input.trim().to_ascii_lowercase()
        } else {
            input.trim().nfkc().collect::<String>().to_lowercase()
        };
        let (local, domain) = folded.rsplit_once('@')?;
        let domain = domain.trim_end_matches('.');
        if local.is_empty()
            || domain.is_empty()
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.contains("..")
            || folded.chars().any(|c| c.is_whitespace() || c.is_control())
            || local.contains('@')
        {
            return None;
        }
        let local = local.split('+').next().unwrap_or(local);
        if local.is_empty() {
            return None;
        }
        let domain = if domain == "googlemail.com" {
            "gmail.com"
        } else {
            domain
        };
        let local = if DOTLESS_PROVIDERS.contains(&domain) {
            local.replace('.', "")
        } else {
            local.to_string()
        };
        if local.is_empty() {
            return None;
        }
        Some(format!("{local}@{domain}"))
    }

    proptest::proptest! {
        #[test]
        fn email_fast_path_equals_reference(
            s in "[ \\u{3000}]?[A-Za-zＡａ0-9.+_@ -]{0,12}@?(gmail|googlemail|Example|ｅｘ)?[.]?(com|co[.]jp|JP)?[.]?[ \\t]?",
            any in "\\PC{0,16}",
        ) {
            proptest::prop_assert_eq!(normalize_email(&s), reference_normalize_email(&s));
            proptest::prop_assert_eq!(normalize_email(&any), reference_normalize_email(&any));
        }

        /// Normalizing a normalized email changes nothing: the index's `History` lookups
        /// rely on it to skip normalizing again.
        #[test]
        fn email_normalization_is_idempotent(
            s in "[ \u{3000}]?[A-Za-zＡａ0-9.+_@ -]{0,12}@?(gmail|googlemail|Example|ｅｘ)?[.]?(com|co[.]jp|JP)?[.]?[ \t]?",
            any in "\\PC{0,16}",
        ) {
            for input in [&s, &any] {
                if let Some(once) = normalize_email(input) {
                    proptest::prop_assert_eq!(normalize_email(&once), Some(once.clone()));
                }
            }
        }
    }
}
