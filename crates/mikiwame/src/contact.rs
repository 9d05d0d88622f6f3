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
/// no dot in the domain).
///
/// ```
/// use mikiwame::contact::normalize_email;
/// assert_eq!(normalize_email("A.B+x@example.co.jp").as_deref(), Some("a.b@example.co.jp"));
/// assert_eq!(normalize_email("not an email"), None);
/// ```
pub fn normalize_email(input: &str) -> Option<String> {
    let folded: String = input.trim().nfkc().collect::<String>().to_lowercase();
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
    Some(format!("{local}@{domain}"))
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
    // International call prefixes: 00 (most of the world), 010 (from Japan), 011 (NANP).
    let international = if plus {
        Some(digits.clone())
    } else if let Some(rest) = digits.strip_prefix("010") {
        Some(rest.to_string())
    } else {
        digits
            .strip_prefix("00")
            .filter(|r| !r.starts_with('0'))
            .map(str::to_string)
    };
    let region_id = match region {
        None => phonenumber::country::Id::JP,
        Some(r) => r
            .trim()
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .map_err(|_| PhoneError::UnknownRegion(r.to_string()))?,
    };
    let parsed = match &international {
        Some(intl) => phonenumber::parse(None, format!("+{intl}")),
        None => phonenumber::parse(Some(region_id), &digits),
    }
    .map_err(|_| PhoneError::NotANumber(input.chars().take(40).collect()))?;
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
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    Ok(Phone {
        e164,
        kind,
        valid,
        region: parsed.country().id().map(|id| format!("{id:?}")),
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
    }
}
