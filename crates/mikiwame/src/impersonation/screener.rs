//! The [`Screener`]: one brand profile compiled for screening, shared by every thread.

use regex::Regex;
use serde_json::{json, Map, Value};

use super::domain::DomainMatcher;
use super::profile::BrandProfile;
use super::text::{self, Lexicon, MAX_TEXT_BYTES};
use super::verdict::{
    Assessment, Cue, PhoneAssessment, Reason, TextAssessment, TextVerdict, Verdict,
};
use super::{phone, sender, url};
use crate::{Error, Result};

/// A brand profile compiled for screening: automata for the brand strings, the cue
/// lexicons, the extractors for URLs and numbers in text. Immutable, `Send + Sync`.
///
/// ```
/// use mikiwame::impersonation::{BrandProfile, Screener, Verdict, Reason};
/// let s = Screener::new(BrandProfile::builtin("amazon")?)?;
/// assert_eq!(s.screen_url("https://amazon.co.jp.account-verify.example/").verdict, Verdict::Lookalike);
/// let a = s.screen_sender("Amazon <amazon.support.jp@gmail.com>", None);
/// assert_eq!(a.reasons, [Reason::BrandInSenderName, Reason::FreeMailSender]);
/// assert_eq!(s.screen_sender("auto-confirm@amazon.co.jp", Some(false)).verdict, Verdict::Lookalike);
/// # Ok::<(), mikiwame::Error>(())
/// ```
pub struct Screener {
    profile: BrandProfile,
    matcher: DomainMatcher,
    lexicon: Lexicon,
    url_re: Regex,
    phone_re: Regex,
}

impl std::fmt::Debug for Screener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screener")
            .field("profile", &self.profile.name())
            .finish()
    }
}

/// The fields of a JSONL row that are screened, in output order.
pub const SCREEN_FIELDS: [&str; 4] = ["sender", "url", "phone", "text"];

impl Screener {
    /// Compiles a profile.
    pub fn new(profile: BrandProfile) -> Result<Screener> {
        let matcher = DomainMatcher::new(&profile)?;
        let lexicon = Lexicon::builtin()?;
        let re = |p: &str| {
            Regex::new(p).map_err(|e| Error::Profile {
                source_name: "text extractors".into(),
                message: e.to_string(),
            })
        };
        // URLs with a scheme or `www.`, and bare domain names (the TLD is checked against
        // the Public Suffix List afterwards, so `mr.smith` is not taken for a site).
        let url_re = re(concat!(
            r"(?:(?:https?|hxxps?)://|www\.)[^\s<>'()（）「」『』【】、。，！？]+",
            r"|(?:[\p{Latin}\p{Cyrillic}\p{Greek}0-9](?:[\p{Latin}\p{Cyrillic}\p{Greek}0-9-]*[\p{Latin}\p{Cyrillic}\p{Greek}0-9])?\.)+[a-z]{2,24}(?:/[^\s<>'()（）「」、。]*)?",
        ))?;
        let phone_re = re(r"\+?[0-9][0-9\-‐ー() ]{7,20}[0-9]")?;
        Ok(Screener {
            profile,
            matcher,
            lexicon,
            url_re,
            phone_re,
        })
    }

    /// The profile this screener was built from.
    pub fn profile(&self) -> &BrandProfile {
        &self.profile
    }

    /// Screens a mail sender (`Display Name <local@domain>` or a bare address).
    /// `authenticated` is the caller's DMARC result: `Some(false)` turns an official-looking
    /// sender into a lookalike.
    pub fn screen_sender(&self, sender: &str, authenticated: Option<bool>) -> Assessment {
        sender::screen(&self.matcher, &self.profile, sender, authenticated)
    }

    /// Screens a URL (a missing scheme is read as `http://`).
    pub fn screen_url(&self, url: &str) -> Assessment {
        url::screen(&self.matcher, &self.profile, url)
    }

    /// Screens a phone number; `region` (ISO 3166 alpha-2) reads national forms (default
    /// Japan).
    pub fn screen_phone(&self, number: &str, region: Option<&str>) -> PhoneAssessment {
        phone::screen(&self.profile, number, region)
    }

    /// Screens a message in ja, en, fr or zh (or a mix). Text past 64 KiB is ignored.
    pub fn screen_text(&self, message: &str) -> TextAssessment {
        let mut end = message.len().min(MAX_TEXT_BYTES);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        let spaced = text::fold_keeping_spaces(&message[..end]);
        let folded = text::collapse_spaces(&spaced);
        let mut cues = Vec::new();
        self.lexicon.scan(&folded, &mut cues);
        let clean = text::deobfuscate(&spaced);
        if clean != folded {
            self.lexicon.scan(&clean, &mut cues);
        }
        let mut reasons = Vec::new();
        for m in self.url_re.find_iter(&folded) {
            let candidate = m
                .as_str()
                .trim_end_matches(['.', ',', ':', ';', '!', '?', '"', '\'', ']', '>']);
            let before = folded[..m.start()].chars().next_back();
            if before == Some('@') || before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue; // an email address or the middle of a word
            }
            let candidate = candidate
                .strip_prefix("hxxp")
                .map(|r| format!("http{r}"))
                .unwrap_or_else(|| candidate.to_string());
            let Some(parsed) = url::parse(&candidate) else {
                continue;
            };
            let known_tld = parsed
                .host_str()
                .and_then(|h| psl::suffix(h.as_bytes()))
                .is_some_and(|s| s.is_known());
            let explicit = candidate.starts_with("http") || candidate.starts_with("www.");
            if !explicit && !known_tld {
                continue;
            }
            let a = self.screen_url(&candidate);
            match a.verdict {
                Verdict::Lookalike => cues.push(Cue::LookalikeLink),
                Verdict::Blocklisted => cues.push(Cue::BlocklistedLink),
                _ => {}
            }
            reasons.extend(a.reasons);
        }
        for m in self.phone_re.find_iter(&folded) {
            let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
            if !(9..=15).contains(&digits) {
                continue;
            }
            // A number the message asks the reader to call gets the full check (line
            // type hints); others only the blocklist lookup, which needs no plan check.
            if cues.contains(&Cue::CallNumber) {
                let a = self.screen_phone(m.as_str(), None);
                if a.e164.is_none() {
                    continue;
                }
                if a.verdict == Verdict::Blocklisted {
                    cues.push(Cue::BlocklistedPhone);
                }
                reasons.extend(
                    a.reasons
                        .into_iter()
                        .filter(|r| *r != Reason::InvalidNumber),
                );
            } else if !self.profile.blocklist_phones().is_empty() {
                if let Ok(e164) = crate::contact::phone_e164(m.as_str(), None) {
                    if self.profile.blocklist_phones().contains(&e164) {
                        cues.push(Cue::BlocklistedPhone);
                        reasons.push(Reason::BlocklistedPhone);
                    }
                }
            }
        }
        cues.sort_unstable();
        cues.dedup();
        reasons.sort_unstable();
        reasons.dedup();
        let score = text::score(&cues);
        let verdict = if score >= 50 {
            TextVerdict::Scam
        } else if score >= 25 {
            TextVerdict::Suspicious
        } else {
            TextVerdict::Legit
        };
        TextAssessment {
            verdict,
            score,
            cues,
            reasons,
        }
    }

    /// Screens one JSONL row: any of `sender`, `url`, `phone` (with `region`), `text`, and
    /// `authenticated` (the caller's DMARC result for `sender`). Returns the output row:
    /// under each given field's name its assessment, `id` copied when given; or, when the
    /// row cannot be read, `error: {field, message}` (callers add `row`).
    ///
    /// ```
    /// use mikiwame::impersonation::{BrandProfile, Screener};
    /// use serde_json::json;
    /// let s = Screener::new(BrandProfile::builtin("amazon")?)?;
    /// let out = s.screen_json(&json!({"url": "http://amaz0n.co.jp/login", "phone": "0120-000-000"}));
    /// assert_eq!(out["url"]["verdict"], "lookalike");
    /// assert_eq!(out["phone"]["verdict"], "unknown");
    /// let bad = s.screen_json(&json!({"url": 42}));
    /// assert_eq!(bad["error"]["field"], "url");
    /// # Ok::<(), mikiwame::Error>(())
    /// ```
    pub fn screen_json(&self, row: &Value) -> Value {
        match self.screen_row(row) {
            Ok(v) => v,
            Err((field, message)) => {
                let mut out = Map::new();
                if let Some(id) = row.get("id") {
                    out.insert("id".into(), id.clone());
                }
                out.insert("error".into(), json!({"field": field, "message": message}));
                Value::Object(out)
            }
        }
    }

    fn screen_row(&self, row: &Value) -> std::result::Result<Value, (String, String)> {
        let obj = row
            .as_object()
            .ok_or_else(|| (String::new(), "expected a JSON object".to_string()))?;
        let text_field = |name: &str| -> std::result::Result<Option<&str>, (String, String)> {
            match obj.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => Err((
                    name.to_string(),
                    format!("expected a string, got {}", kind_of(other)),
                )),
            }
        };
        let authenticated = match obj.get("authenticated") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err((
                    "authenticated".into(),
                    format!("expected true or false, got {}", kind_of(other)),
                ))
            }
        };
        let region = text_field("region")?;
        let mut out = Map::new();
        if let Some(id) = obj.get("id") {
            out.insert("id".into(), id.clone());
        }
        let ser = |v: std::result::Result<Value, serde_json::Error>| {
            v.map_err(|e| (String::new(), format!("cannot serialize the result: {e}")))
        };
        if let Some(s) = text_field("sender")? {
            out.insert(
                "sender".into(),
                ser(serde_json::to_value(self.screen_sender(s, authenticated)))?,
            );
        }
        if let Some(u) = text_field("url")? {
            out.insert("url".into(), ser(serde_json::to_value(self.screen_url(u)))?);
        }
        if let Some(p) = text_field("phone")? {
            out.insert(
                "phone".into(),
                ser(serde_json::to_value(self.screen_phone(p, region)))?,
            );
        }
        if let Some(t) = text_field("text")? {
            if t.len() > MAX_TEXT_BYTES {
                return Err((
                    "text".into(),
                    format!(
                        "text is {} bytes, longer than the {MAX_TEXT_BYTES} accepted: send the first part",
                        t.len()
                    ),
                ));
            }
            out.insert(
                "text".into(),
                ser(serde_json::to_value(self.screen_text(t)))?,
            );
        }
        if !SCREEN_FIELDS.iter().any(|f| out.contains_key(*f)) {
            return Err((
                SCREEN_FIELDS.join("|"),
                "none of sender, url, phone, text is given".into(),
            ));
        }
        Ok(Value::Object(out))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Screener {
        Screener::new(BrandProfile::builtin("amazon").unwrap()).unwrap()
    }

    #[test]
    fn screener_is_shareable() {
        fn check<T: Send + Sync>() {}
        check::<Screener>();
    }

    #[test]
    fn text_links_feed_the_verdict() {
        let a = s().screen_text(
            "Your account is locked. Verify now: http://amaz0n-security.example/login",
        );
        assert!(a.cues.contains(&Cue::LookalikeLink), "{a:?}");
        assert_eq!(a.verdict, TextVerdict::Scam);
        let b = s().screen_text(
            "Your order has shipped: https://www.amazon.co.jp/gp/your-account/order-history",
        );
        assert_eq!(b.verdict, TextVerdict::Legit, "{b:?}");
        assert!(b.reasons.contains(&Reason::OfficialDomain));
    }

    #[test]
    fn json_rows() {
        let out =
            s().screen_json(&json!({"id": 7, "sender": "x@amazon.co.jp", "authenticated": false}));
        assert_eq!(out["id"], 7);
        assert_eq!(out["sender"]["verdict"], "lookalike");
        assert_eq!(out["sender"]["reasons"][0], "authentication_failed");
        let out =
            s().screen_json(&json!({"text": "至急、ギフトカードを買って番号を教えてください"}));
        assert_eq!(out["text"]["verdict"], "scam");
        assert!(out["text"]["score"].as_u64().unwrap() >= 50);
        assert_eq!(
            s().screen_json(&json!([1]))["error"]["message"],
            "expected a JSON object"
        );
        assert_eq!(
            s().screen_json(&json!({"authenticated": "no", "sender": "a@b.example"}))["error"]
                ["field"],
            "authenticated"
        );
        assert!(s().screen_json(&json!({"id": 1}))["error"].is_object());
    }
}
