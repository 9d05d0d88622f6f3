//! URLs: WHATWG parsing, then the host and the rest of the URL checked against the brand.

use unicode_normalization::UnicodeNormalization;
use url::{Host, Url};

use super::domain::{registrable_domain, DomainMatcher};
use super::profile::{Blocklist, BrandProfile};
use super::verdict::{Assessment, Reason, Verdict};

/// Longest URL screened; longer ones are cut after their host, or refused when the host
/// part alone is longer.
const MAX_URL_BYTES: usize = 16 * 1024;

/// The largest character boundary of `s` at or before `at` (`str::floor_char_boundary`
/// is newer than the crate's minimum Rust).
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut end = at.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// `input` cut to [`MAX_URL_BYTES`] without cutting into the scheme, user info, host or
/// port, which decide where the URL leads; `None` when those alone are longer.
///
/// Cutting anywhere let `https://www.amazon.co.jp:000…000@evil.example/` (a port-like
/// user name of 17,000 zeros) lose its `@evil.example` and read as the official host.
fn cut_after_authority(input: &str) -> Option<&str> {
    if input.len() <= MAX_URL_BYTES {
        return Some(input);
    }
    let head = &input[..floor_boundary(input, 64)];
    let from = head.find("://").map_or(0, |i| i + 3);
    let host_end = from + input[from..].find(['/', '\\', '?', '#'])?;
    if host_end > MAX_URL_BYTES {
        return None;
    }
    Some(&input[..floor_boundary(input, MAX_URL_BYTES)])
}

/// Decodes `%XX` escapes (invalid ones are kept as written).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when a host or one of its parent domains is on the blocklist.
pub(crate) fn host_blocklisted(blocklist: &Blocklist, host: &str) -> bool {
    if blocklist.is_empty() {
        return false;
    }
    let mut rest = host;
    loop {
        if blocklist.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

/// Parses a URL as a browser would; a missing scheme is read as `http://`.
pub(crate) fn parse(input: &str) -> Option<Url> {
    let raw = cut_after_authority(input)?.trim();
    let folded: String = if raw.is_ascii() {
        raw.to_string()
    } else {
        raw.nfkc().collect()
    };
    let lower: String = folded
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let has_scheme = lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("http:\\")
        || lower.starts_with("https:\\")
        || (lower.contains("://")
            && lower.split("://").next().is_some_and(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            }));
    let text = if has_scheme {
        folded
    } else {
        format!("http://{}", folded.trim_start_matches('/'))
    };
    Url::parse(&text).ok()
}

/// True when `haystack` contains `domain` as a whole domain (not inside a longer label).
#[cfg(test)]
fn contains_domain(haystack: &str, domain: &str) -> bool {
    haystack.match_indices(domain).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + domain.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-'));
        edge(before) && edge(after)
    })
}

/// Screens one URL.
pub(crate) fn screen(matcher: &DomainMatcher, profile: &BrandProfile, input: &str) -> Assessment {
    let Some(url) = parse(input) else {
        return Assessment::new(Verdict::Unknown, vec![Reason::InvalidUrl], None);
    };
    let mut reasons = Vec::new();
    let (host, domain) = match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_string();
            let reg = registrable_domain(&d).map(str::to_string);
            (Some(d), reg)
        }
        Some(Host::Ipv4(_)) | Some(Host::Ipv6(_)) => {
            reasons.push(Reason::IpHost);
            (None, None)
        }
        None => return Assessment::new(Verdict::Unknown, vec![Reason::InvalidUrl], None),
    };
    if let Some(h) = &host {
        if host_blocklisted(profile.blocklist_domains(), h) {
            reasons.push(Reason::BlocklistedDomain);
            return Assessment::new(Verdict::Blocklisted, reasons, domain);
        }
        if matcher.is_official_any(h) {
            reasons.push(Reason::OfficialDomain);
            return Assessment::new(Verdict::Official, reasons, domain);
        }
        reasons.extend(matcher.lookalike_reasons(h));
    }
    let userinfo = if url.username().is_empty() && url.password().is_none() {
        String::new()
    } else {
        percent_decode(&format!(
            "{}:{}",
            url.username(),
            url.password().unwrap_or("")
        ))
        .nfkc()
        .collect::<String>()
        .to_lowercase()
    };
    if userinfo.len() > 1
        && (matcher.official_domain_in(&userinfo)
            || profile
                .keywords()
                .iter()
                .any(|k| userinfo.contains(k.as_str()) && !matcher.is_exception(&userinfo, k)))
    {
        reasons.push(Reason::UserinfoTrick);
    }
    let mut rest = url.path().to_string();
    if let Some(q) = url.query() {
        rest.push('?');
        rest.push_str(q);
    }
    if let Some(f) = url.fragment() {
        rest.push('#');
        rest.push_str(f);
    }
    let rest = percent_decode(&rest).to_lowercase();
    if matcher.official_domain_in(&rest) {
        reasons.push(Reason::OfficialDomainOutsideHost);
    }
    let lookalike = reasons.iter().any(|r| *r != Reason::IpHost);
    let verdict = if lookalike {
        Verdict::Lookalike
    } else {
        Verdict::Unknown
    };
    Assessment::new(verdict, reasons, domain.or(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_urls_are_cut_after_their_host_only() {
        // Found by a review: the user info ran past the cut, and the official host that
        // opened it was taken for the host.
        let trick = format!(
            "https://www.amazon.co.jp:{}@evil.example/signin",
            "0".repeat(17_000)
        );
        assert!(parse(&trick).is_none());
        assert_eq!(cut_after_authority(&trick), None);
        // A long path or query is cut; the host stays.
        let long_path = format!("https://evil.example/{}", "a".repeat(20_000));
        let url = parse(&long_path).unwrap();
        assert_eq!(url.host_str(), Some("evil.example"));
        let long_query = format!("amazon.co.jp?q={}", "é".repeat(10_000));
        assert_eq!(parse(&long_query).unwrap().host_str(), Some("amazon.co.jp"));
        // A short URL is untouched.
        assert_eq!(
            cut_after_authority("https://a.example/x"),
            Some("https://a.example/x")
        );
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("%61mazon.co.jp%2F"), "amazon.co.jp/");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn parses_like_a_browser() {
        let u = parse(r"https://amazon.co.jp\@evil.example/").unwrap();
        assert_eq!(u.host_str(), Some("amazon.co.jp"));
        let u = parse("amazon.co.jp@evil.example/login").unwrap();
        assert_eq!(u.host_str(), Some("evil.example"));
        let u = parse("ｈｔｔｐｓ：／／ａｍａｚｏｎ．ｃｏ．ｊｐ／").unwrap();
        assert_eq!(u.host_str(), Some("amazon.co.jp"));
        assert!(parse("http://").is_none());
    }

    #[test]
    fn domain_in_text_needs_edges() {
        assert!(contains_domain("/r?u=amazon.co.jp/x", "amazon.co.jp"));
        assert!(!contains_domain("/notamazon.co.jpx", "amazon.co.jp"));
    }

    #[test]
    fn parent_domains_are_blocklisted_too() {
        let b = Blocklist::from_entries(["evil.example"]).unwrap();
        assert!(host_blocklisted(&b, "a.b.evil.example"));
        assert!(!host_blocklisted(&b, "example"));
        assert!(!host_blocklisted(&b, "notevil.example"));
    }
}
