//! Domain names: normalization (UTS 46), the registrable domain (Public Suffix List) and
//! lookalike detection against a brand.
//!
//! ```
//! use mikiwame::impersonation::domain::{normalize_domain, registrable_domain};
//! assert_eq!(normalize_domain("ＷＷＷ.Amazon.CO.JP.").as_deref(), Some("www.amazon.co.jp"));
//! assert_eq!(registrable_domain("www.amazon.co.jp"), Some("amazon.co.jp"));
//! // Private suffixes count: each web.app site is its own registrable domain.
//! assert_eq!(registrable_domain("amazon-login.web.app"), Some("amazon-login.web.app"));
//! ```

use aho_corasick::AhoCorasick;
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::profile::BrandProfile;
use super::verdict::Reason;
use crate::{Error, Result};

/// The ASCII (punycode), lower-case form of a domain name after UTS 46 mapping (full-width
/// letters, case, ideographic full stops), without a trailing dot or a leading `*.`.
///
/// Returns `None` for things that are not domain names (spaces, no dot, empty labels).
pub fn normalize_domain(input: &str) -> Option<String> {
    let s = input.trim();
    let s = s.strip_prefix("*.").unwrap_or(s);
    let ascii = idna::domain_to_ascii(s).ok()?;
    let ascii = ascii.trim_end_matches('.');
    if ascii.is_empty()
        || !ascii.contains('.')
        || ascii.split('.').any(str::is_empty)
        || !ascii
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return None;
    }
    Some(ascii.to_string())
}

/// The registrable domain of an ASCII host by the Public Suffix List, ICANN and private
/// sections alike (`evil.s3.amazonaws.com` is its own site). `None` when the host is itself
/// a public suffix.
pub fn registrable_domain(ascii_host: &str) -> Option<&str> {
    psl::domain_str(ascii_host)
}

/// True when `host` is `domain` or a subdomain of it (label-boundary suffix match).
pub fn is_same_or_subdomain(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// True when `host` is at or below the official domain `official` and the sites below it
/// are the brand's own: when a public suffix sits below the official domain (the private
/// `s3.amazonaws.com` below `amazonaws.com`), hosts under that suffix belong to customers.
fn is_official_host(host: &str, official: &str) -> bool {
    is_same_or_subdomain(host, official)
        && !psl::suffix_str(host).is_some_and(|s| is_same_or_subdomain(s, official))
}

/// The UTS 39 skeleton of a string with combining marks stripped and case folded, so that
/// `аmаzоn` (Cyrillic), `amaz0n`, `ámazon` and `arnazon` meet `amazon`.
pub fn skeleton(s: &str) -> String {
    let stripped: String = s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    unicode_security::skeleton(&stripped)
        .collect::<String>()
        .to_lowercase()
}

/// One brand string (a keyword or the first label of an official domain) with its
/// precompiled automata.
struct BrandString {
    text: String,
    skeleton: String,
    /// Substring matches count (keywords); otherwise only whole labels and tokens.
    substring: bool,
    max_distance: u8,
    raw: Option<DFA>,
    skel: Option<DFA>,
}

/// Brand strings shorter than this are matched exactly only: one edit away from a
/// four-letter word is half the dictionary.
const MIN_FUZZY_LEN: usize = 5;
/// Brand strings at least this long allow two edits.
const LONG_BRAND_LEN: usize = 9;
/// Tokens shorter than this are never matched approximately.
const MIN_TOKEN_LEN: usize = 4;

/// Compiled lookalike detection for one brand profile.
pub(crate) struct DomainMatcher {
    official_sender: Vec<String>,
    official_any: Vec<String>,
    /// The official domains, to find them inside hosts, paths and user-info in one pass.
    official_ac: AhoCorasick,
    latin: Vec<BrandString>,
    other_script: Vec<String>,
    exceptions: Vec<String>,
    /// The skeleton of each ASCII character.
    ascii_skeleton: Vec<String>,
}

impl DomainMatcher {
    pub fn new(profile: &BrandProfile) -> Result<DomainMatcher> {
        let d1 = LevenshteinAutomatonBuilder::new(1, true);
        let d2 = LevenshteinAutomatonBuilder::new(2, true);
        let mut official_any: Vec<String> = profile.official_web_domains().to_vec();
        official_any.extend(profile.official_sender_domains().iter().cloned());
        official_any.sort();
        official_any.dedup();
        let mut strings: Vec<(String, bool)> = Vec::new();
        let mut other_script = Vec::new();
        for k in profile.keywords() {
            if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                strings.push((k.clone(), true));
            } else {
                other_script.push(k.clone());
            }
        }
        for d in &official_any {
            let stem = registrable_domain(d)
                .and_then(|r| r.split('.').next())
                .unwrap_or(d.as_str());
            if stem.len() >= MIN_FUZZY_LEN && !strings.iter().any(|(s, _)| s == stem) {
                strings.push((stem.to_string(), false));
            }
        }
        let latin = strings
            .into_iter()
            .map(|(text, substring)| {
                let n = text.chars().count();
                let max_distance = if n >= LONG_BRAND_LEN { 2 } else { 1 };
                let builder = if max_distance == 2 { &d2 } else { &d1 };
                let fuzzy = n >= MIN_FUZZY_LEN;
                let skeleton = skeleton(&text);
                BrandString {
                    raw: fuzzy.then(|| builder.build_dfa(&text)),
                    skel: fuzzy.then(|| builder.build_dfa(&skeleton)),
                    skeleton,
                    text,
                    substring,
                    max_distance,
                }
            })
            .collect();
        let official_ac = AhoCorasick::new(&official_any).map_err(|e| Error::Profile {
            source_name: profile.name().to_string(),
            message: format!("cannot compile the official domains: {e}"),
        })?;
        Ok(DomainMatcher {
            official_ac,
            official_sender: profile.official_sender_domains().to_vec(),
            official_any,
            latin,
            other_script,
            exceptions: profile.exceptions().to_vec(),
            ascii_skeleton: (0u8..128)
                .map(|b| skeleton(&(b as char).to_string()))
                .collect(),
        })
    }

    /// True when the host is an official sender domain (or below one).
    pub fn is_official_sender(&self, host: &str) -> bool {
        self.official_sender
            .iter()
            .any(|d| is_official_host(host, d))
    }

    /// True when the host is an official web or sender domain (or below one).
    pub fn is_official_any(&self, host: &str) -> bool {
        self.official_any.iter().any(|d| is_official_host(host, d))
    }

    /// True when an official domain appears in `haystack` as a whole domain (not inside a
    /// longer label: `notamazon.com` does not contain `amazon.com`).
    pub fn official_domain_in(&self, haystack: &str) -> bool {
        let b = haystack.as_bytes();
        let edge = |c: Option<&u8>| {
            c.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c >= 0x80))
        };
        self.official_ac
            .find_overlapping_iter(haystack)
            .any(|m| edge(m.start().checked_sub(1).and_then(|i| b.get(i))) && edge(b.get(m.end())))
    }

    /// Lookalike reasons for an ASCII host that is not official (empty when none).
    pub fn lookalike_reasons(&self, host: &str) -> Vec<Reason> {
        let mut reasons = Vec::new();
        let hb = host.as_bytes();
        let as_left_labels = self.official_ac.find_overlapping_iter(host).any(|m| {
            (m.start() == 0 || hb[m.start() - 1] == b'.') && hb.get(m.end()) == Some(&b'.')
        });
        if as_left_labels {
            reasons.push(Reason::OfficialDomainAsSubdomain);
        }
        // Only the labels the registrant chose: not the public suffix, so that
        // `bucket.s3.amazonaws.com` is not taken for the brand.
        let suffix_len = psl::suffix_str(host).map_or(0, str::len);
        let own = if suffix_len > 0 && host.len() > suffix_len {
            &host[..host.len() - suffix_len - 1]
        } else if suffix_len == 0 {
            host
        } else {
            ""
        };
        for label in own.split('.').filter(|l| !l.is_empty()) {
            let unicode = if label.starts_with("xn--") {
                let (u, res) = idna::domain_to_unicode(label);
                if res.is_ok() {
                    u
                } else {
                    label.to_string()
                }
            } else {
                label.to_string()
            };
            self.label_reasons(&unicode, &mut reasons);
        }
        reasons.sort_unstable();
        reasons.dedup();
        reasons
    }

    /// Lookalike reasons for one word or label (a display-name word, a local part).
    pub fn token_reasons(&self, token: &str) -> Vec<Reason> {
        let mut reasons = Vec::new();
        self.label_reasons(token, &mut reasons);
        reasons
    }

    /// The skeleton of `s`, by table for ASCII (the common case, no allocation per char).
    fn skel(&self, s: &str) -> String {
        if s.is_ascii() {
            let mut out = String::with_capacity(s.len() + 2);
            for b in s.bytes() {
                out.push_str(&self.ascii_skeleton[b as usize]);
            }
            out
        } else {
            skeleton(s)
        }
    }

    /// Brand strings found in one (Unicode, lower-case) label.
    fn label_reasons(&self, label: &str, reasons: &mut Vec<Reason>) {
        let label: String = if label.is_ascii() {
            label.to_ascii_lowercase()
        } else {
            label.nfkc().collect::<String>().to_lowercase()
        };
        let dehyphenated: String = label.chars().filter(|c| *c != '-').collect();
        for k in &self.other_script {
            if label.contains(k.as_str()) && !self.is_exception(&label, k) {
                reasons.push(Reason::BrandKeywordInDomain);
            }
        }
        let tokens: Vec<&str> = label.split('-').filter(|t| !t.is_empty()).collect();
        let label_skel = self.skel(&dehyphenated);
        let token_skels: Vec<String> = tokens.iter().map(|t| self.skel(t)).collect();
        // Candidates for approximate matching, with their skeletons: each hyphen token, the
        // whole label, and the label without hyphens.
        let mut candidates: Vec<(&str, &str)> = Vec::with_capacity(tokens.len() + 2);
        let whole_skel = if tokens.len() > 1 {
            self.skel(&label)
        } else {
            String::new()
        };
        for (t, sk) in tokens.iter().zip(&token_skels) {
            candidates.push((t, sk));
        }
        if tokens.len() > 1 {
            candidates.push((&label, &whole_skel));
            candidates.push((&dehyphenated, &label_skel));
        }
        candidates.retain(|(t, _)| {
            t.chars().count() >= MIN_TOKEN_LEN && !self.exceptions.iter().any(|e| e == t)
        });
        for b in &self.latin {
            let whole = [label.as_str(), dehyphenated.as_str()];
            let exact = if b.substring {
                whole
                    .iter()
                    .any(|s| s.contains(b.text.as_str()) && !self.is_exception(s, &b.text))
            } else {
                whole.iter().chain(tokens.iter()).any(|s| *s == b.text)
            };
            if exact {
                reasons.push(Reason::BrandKeywordInDomain);
                continue;
            }
            let skel_hit = if b.substring {
                label_skel.contains(b.skeleton.as_str())
            } else {
                label_skel == b.skeleton || token_skels.contains(&b.skeleton)
            };
            if skel_hit && !self.is_exception(&label, &b.text) {
                reasons.push(Reason::ConfusableDomain);
                continue;
            }
            let (Some(raw), Some(skel)) = (&b.raw, &b.skel) else {
                continue;
            };
            let near = |dfa: &DFA, s: &str| -> bool {
                match dfa.eval(s) {
                    Distance::Exact(d) => d >= 1 && d <= b.max_distance,
                    Distance::AtLeast(_) => false,
                }
            };
            if candidates
                .iter()
                .any(|(t, sk)| near(raw, t) || near(skel, sk))
            {
                reasons.push(Reason::EditDistance);
            }
        }
    }

    /// True when every occurrence of `keyword` in `s` lies inside an exception word.
    pub fn is_exception(&self, s: &str, keyword: &str) -> bool {
        if self.exceptions.is_empty() {
            return false;
        }
        let mut any = false;
        for (at, _) in s.match_indices(keyword) {
            any = true;
            let end = at + keyword.len();
            let covered = self.exceptions.iter().any(|e| {
                e.contains(keyword)
                    && s.match_indices(e.as_str())
                        .any(|(eat, _)| eat <= at && eat + e.len() >= end)
            });
            if !covered {
                return false;
            }
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> DomainMatcher {
        DomainMatcher::new(&BrandProfile::builtin("amazon").unwrap()).unwrap()
    }

    #[test]
    fn normalize() {
        assert_eq!(
            normalize_domain("Amazon.co.jp").as_deref(),
            Some("amazon.co.jp")
        );
        assert_eq!(
            normalize_domain("аmazon.com").as_deref(),
            Some("xn--mazon-3ve.com")
        );
        assert_eq!(
            normalize_domain("*.evil.example").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            normalize_domain("アマゾン。com").as_deref(),
            Some("xn--cckwcxetd.com")
        );
        assert_eq!(normalize_domain("no dot"), None);
        assert_eq!(normalize_domain("localhost"), None);
        assert_eq!(normalize_domain("a..b"), None);
    }

    #[test]
    fn registrable() {
        assert_eq!(registrable_domain("a.b.amazon.co.uk"), Some("amazon.co.uk"));
        assert_eq!(
            registrable_domain("x.s3.amazonaws.com"),
            Some("x.s3.amazonaws.com")
        );
        assert_eq!(registrable_domain("co.jp"), None);
    }

    #[test]
    fn label_boundary() {
        assert!(is_same_or_subdomain("www.amazon.com", "amazon.com"));
        assert!(!is_same_or_subdomain("notamazon.com", "amazon.com"));
        assert!(!is_same_or_subdomain("amazon.com.evil", "amazon.com"));
    }

    #[test]
    fn skeletons_meet() {
        let a = skeleton("amazon");
        for s in ["аmazon", "amaz0n", "ámazon", "arnazon", "AMAZON", "аmаzоn"] {
            assert_eq!(skeleton(s), a, "{s}");
        }
        assert_ne!(skeleton("amazing"), a);
    }

    #[test]
    fn lookalike_signals() {
        let m = matcher();
        let r = |h: &str| m.lookalike_reasons(h);
        assert_eq!(
            r("amazon.co.jp.evil.example"),
            [
                Reason::BrandKeywordInDomain,
                Reason::OfficialDomainAsSubdomain
            ]
        );
        assert!(r("amazom.com").contains(&Reason::EditDistance));
        assert!(r("amzaon.co.jp").contains(&Reason::EditDistance));
        assert!(r("xn--mazon-3ve.com").contains(&Reason::ConfusableDomain));
        assert!(r("arnazon.com").contains(&Reason::ConfusableDomain));
        assert!(r("secure-amazon-login.com").contains(&Reason::BrandKeywordInDomain));
        assert!(r("xn--cckwcxetd.com").contains(&Reason::BrandKeywordInDomain));
        assert!(r("amazonas.gov.br").is_empty());
        assert!(r("bucket.s3.amazonaws.com").is_empty());
        assert!(m.is_official_any("www.amazonaws.com"));
        assert!(!m.is_official_any("bucket.s3.amazonaws.com"));
        assert!(r("rakuten.co.jp").is_empty());
        assert!(r("amazing.example").is_empty());
    }

    #[test]
    fn exceptions_cover_only_their_span() {
        let m = matcher();
        assert!(m.official_domain_in("/r?u=amazon.co.jp/x"));
        assert!(!m.official_domain_in("/notamazon.co.jpx"));
        assert!(m.is_exception("amazonas", "amazon"));
        assert!(!m.is_exception("amazonasamazon", "amazon"));
        assert!(!m.is_exception("amazon", "amazon"));
    }
}
