//! Mail senders: `Display Name <local@domain>` or a bare address, RFC 2047 encoded names.

use super::domain::{is_same_or_subdomain, normalize_domain, registrable_domain, DomainMatcher};
use super::profile::BrandProfile;
use super::text::deobfuscate;
use super::url::host_blocklisted;
use super::verdict::{Assessment, Reason, Verdict};

/// A sender split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The display name, RFC 2047 decoded, quotes removed (may be empty).
    pub display_name: String,
    /// The local part of the address.
    pub local: String,
    /// The domain, ASCII (punycode) and lower-case.
    pub domain: String,
}

/// Splits a sender into display name, local part and domain. `None` when there is no
/// usable address.
///
/// ```
/// use mikiwame::impersonation::parse_sender;
/// let s = parse_sender("=?UTF-8?B?44Ki44Oe44K+44Oz?= <info@Example.JP>").unwrap();
/// assert_eq!((s.display_name.as_str(), s.domain.as_str()), ("アマゾン", "example.jp"));
/// ```
pub fn parse_sender(input: &str) -> Option<Sender> {
    let input = input.trim();
    let (display, addr) = match (input.rfind('<'), input.rfind('>')) {
        (Some(open), Some(close)) if open < close => (&input[..open], &input[open + 1..close]),
        _ => ("", input),
    };
    let addr = addr.trim().trim_start_matches("mailto:");
    let (local, domain) = addr.rsplit_once('@')?;
    let local = local.trim().trim_matches('"');
    if local.is_empty() || local.contains(char::is_whitespace) {
        return None;
    }
    let domain = normalize_domain(domain)?;
    let display = decode_rfc2047(display.trim());
    let display = display.trim().trim_matches('"').trim().to_string();
    Some(Sender {
        display_name: display,
        local: local.to_string(),
        domain,
    })
}

/// Decodes RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?ISO-8859-1?Q?...?=`); whitespace
/// between adjacent encoded words is dropped as the RFC says. Any charset the WHATWG
/// Encoding Standard knows is decoded (ISO-2022-JP, Shift_JIS, GB2312, Big5...); unknown
/// ones are read as UTF-8 where they can be.
pub fn decode_rfc2047(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, tail) = rest.split_at(start);
        let Some((word, after)) = parse_encoded_word(tail) else {
            out.push_str(before);
            out.push_str("=?");
            rest = &tail[2..];
            last_was_word = false;
            continue;
        };
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        out.push_str(&word);
        rest = after;
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// One encoded word at the start of `s`: its text and what follows.
fn parse_encoded_word(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix("=?")?;
    let (charset, body) = body.split_once('?')?;
    let (enc, body) = body.split_once('?')?;
    let (text, after) = body.split_once("?=")?;
    let bytes = match enc {
        "B" | "b" => base64_decode(text)?,
        "Q" | "q" => q_decode(text),
        _ => return None,
    };
    // RFC 2231 allows a language after `*`; the charset label is what WHATWG names
    // (ISO-2022-JP, Shift_JIS, GB2312, Big5 are common in Japanese and Chinese mail).
    let charset = charset.split('*').next().unwrap_or(charset);
    let decoded = match encoding_rs::Encoding::for_label(charset.trim().as_bytes()) {
        Some(enc) => enc.decode_without_bom_handling(&bytes).0.into_owned(),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Some((decoded, after))
}

fn q_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'=');
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Screens one sender. `authenticated` is the caller's DMARC result, when it has one.
pub(crate) fn screen(
    matcher: &DomainMatcher,
    profile: &BrandProfile,
    input: &str,
    authenticated: Option<bool>,
) -> Assessment {
    let Some(sender) = parse_sender(input) else {
        return Assessment::new(Verdict::Unknown, vec![Reason::InvalidSender], None);
    };
    let domain = &sender.domain;
    let reg = registrable_domain(domain).map(str::to_string);
    if host_blocklisted(profile.blocklist_domains(), domain) {
        return Assessment::new(Verdict::Blocklisted, vec![Reason::BlocklistedDomain], reg);
    }
    if matcher.is_official_sender(domain) {
        return if authenticated == Some(false) {
            Assessment::new(Verdict::Lookalike, vec![Reason::AuthenticationFailed], reg)
        } else {
            Assessment::new(Verdict::Official, vec![Reason::OfficialDomain], reg)
        };
    }
    let mut reasons = matcher.lookalike_reasons(domain);
    if names_brand(matcher, &sender.display_name) || names_brand(matcher, &sender.local) {
        reasons.push(Reason::BrandInSenderName);
        let freemail = profile.freemail_domains();
        if freemail.contains(domain.as_str())
            || freemail.iter().any(|f| is_same_or_subdomain(domain, f))
        {
            reasons.push(Reason::FreeMailSender);
        }
    }
    let verdict = if reasons.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Lookalike
    };
    Assessment::new(verdict, reasons, reg)
}

/// True when a display name or local part names the brand (exactly, by confusables or by
/// one edit), after spaced-out letters and leetspeak are undone.
fn names_brand(matcher: &DomainMatcher, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let folded = deobfuscate(&super::text::fold_keeping_spaces(name));
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|t| !t.is_empty())
        .any(|t| !matcher.token_reasons(t).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let s = parse_sender("\"Amazon.co.jp\" <shipment-tracking@amazon.co.jp>").unwrap();
        assert_eq!(s.display_name, "Amazon.co.jp");
        assert_eq!(s.local, "shipment-tracking");
        assert_eq!(s.domain, "amazon.co.jp");
        let s = parse_sender("auto-confirm@amazon.com").unwrap();
        assert_eq!(s.display_name, "");
        assert!(parse_sender("Amazon").is_none());
        assert!(parse_sender("a b@example.com").is_none());
    }

    #[test]
    fn rfc2047() {
        assert_eq!(
            decode_rfc2047("=?UTF-8?Q?Amaz=C3=B3n_Support?="),
            "Amazón Support"
        );
        assert_eq!(
            decode_rfc2047("=?utf-8?B?QW1h?= =?utf-8?B?em9u?="),
            "Amazon"
        );
        assert_eq!(decode_rfc2047("=?iso-8859-1?q?Caf=E9?= bar"), "Café bar");
        assert_eq!(decode_rfc2047("plain =?bad"), "plain =?bad");
        // ISO-2022-JP, the usual charset of Japanese mail headers.
        assert_eq!(
            decode_rfc2047("=?ISO-2022-JP?B?GyRCJSIlXiU+JXMbKEI=?="),
            "アマゾン"
        );
        assert_eq!(decode_rfc2047("=?Shift_JIS?B?g0GDfYNdg5M=?="), "アマゾン");
    }
}
