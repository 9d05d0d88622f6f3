//! Shop settings (`--shop`, JSON or TOML): the shop's own contacts, whether it ships to
//! forwarders, when to alert, and whom to trust.
//!
//! ```
//! use mikiwame::shop::Shop;
//!
//! let shop = Shop::from_toml(r#"
//! name = "みきわめ商店"
//! phones = ["03-1234-5678"]
//! emails = ["info@mikiwame-shop.example"]
//! ships_to_forwarders = true
//! "#).unwrap();
//! assert_eq!(shop.alert_threshold, 10);
//! assert!(shop.is_shop_phone("+81312345678"));
//! ```

// Fx, not std's SipHash: these sets are asked twice per order, and SipHash cost about 200
// instructions a lookup; the keys are the shop's own settings, not attacker-chosen.
use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::contact::{normalize_email, normalize_phone};
use crate::error::{Error, Result};

/// The most alert recipients a shop may name.
pub const MAX_ALERT_EMAILS: usize = 10;

/// Shop settings.
///
/// Unknown keys are refused, so that a misspelt setting (`alert_treshold`) is not
/// silently ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shop {
    /// The shop's name (a buyer named like the shop is the shop's own data typed in).
    #[serde(default)]
    pub name: Option<String>,
    /// The shop's own phone numbers.
    #[serde(default)]
    pub phones: Vec<String>,
    /// The shop's own email addresses.
    #[serde(default)]
    pub emails: Vec<String>,
    /// True when the shop ships abroad through forwarding services, so that forwarding
    /// alone raises no alert (it still adds points).
    #[serde(default)]
    pub ships_to_forwarders: bool,
    /// The score (0..=100) from which an order alerts.
    #[serde(default = "default_threshold")]
    pub alert_threshold: u8,
    /// Customer IDs or emails whose orders are scored but never alerted.
    #[serde(default)]
    pub trusted_customers: Vec<String>,
    /// Who receives alerts (at most [`MAX_ALERT_EMAILS`]).
    #[serde(default)]
    pub alert_emails: Vec<String>,
    /// Normalized forms, built once by [`Shop::prepared`].
    #[serde(skip)]
    keys: ShopKeys,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct ShopKeys {
    phones: HashSet<String>,
    emails: HashSet<String>,
    trusted: HashSet<String>,
    name: Option<String>,
}

fn default_threshold() -> u8 {
    10
}

impl Default for Shop {
    fn default() -> Self {
        Shop {
            name: None,
            phones: Vec::new(),
            emails: Vec::new(),
            ships_to_forwarders: false,
            alert_threshold: default_threshold(),
            trusted_customers: Vec::new(),
            alert_emails: Vec::new(),
            keys: ShopKeys::default(),
        }
        .prepared()
    }
}

impl Shop {
    /// Reads settings from JSON.
    ///
    /// ```
    /// let s = mikiwame::shop::Shop::from_json(r#"{"alert_threshold": 30}"#).unwrap();
    /// assert_eq!(s.alert_threshold, 30);
    /// assert!(mikiwame::shop::Shop::from_json(r#"{"alert_treshold": 30}"#).is_err());
    /// assert!(mikiwame::shop::Shop::from_json("[]").is_err(), "not an object");
    /// assert!(mikiwame::shop::Shop::from_json("\u{feff}{}").is_ok(), "a byte order mark");
    /// ```
    pub fn from_json(text: &str) -> Result<Shop> {
        // Editors on Windows save a byte order mark first.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // serde reads a struct from an array too, so `[]` was taken for default settings.
        if !text.trim_start().starts_with('{') {
            return Err(Error::Shop {
                message: "shop settings are a JSON object ({\"phones\": [...], ...}), not another JSON value".into(),
            });
        }
        let shop: Shop = serde_json::from_str(text).map_err(|e| Error::Shop {
            message: format!("{e}"),
        })?;
        shop.validated()
    }

    /// Reads settings from TOML.
    pub fn from_toml(text: &str) -> Result<Shop> {
        let shop: Shop = toml::from_str(text).map_err(|e| Error::Shop {
            message: e.to_string(),
        })?;
        shop.validated()
    }

    /// Reads settings from a file: TOML when the name ends in `.toml`, JSON when it ends in
    /// `.json`, else whichever the content looks like (JSON starts with `{`).
    pub fn load(path: &Path) -> Result<Shop> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let json = match ext.as_deref() {
            Some("toml") => false,
            Some("json") => true,
            _ => text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{'),
        };
        let parsed = if json {
            Shop::from_json(&text)
        } else {
            Shop::from_toml(&text)
        };
        parsed.map_err(|e| match e {
            Error::Shop { message } => Error::Shop {
                message: format!("{}: {message}", path.display()),
            },
            other => other,
        })
    }

    fn validated(self) -> Result<Shop> {
        if self.alert_emails.len() > MAX_ALERT_EMAILS {
            return Err(Error::Shop {
                message: format!(
                    "{} alert_emails given, at most {MAX_ALERT_EMAILS} are allowed: use a mailing list for more",
                    self.alert_emails.len()
                ),
            });
        }
        if self.alert_threshold > 100 {
            return Err(Error::Shop {
                message: format!(
                    "alert_threshold is {}, but scores run from 0 to 100",
                    self.alert_threshold
                ),
            });
        }
        if let Some(bad) = self
            .alert_emails
            .iter()
            .find(|e| normalize_email(e).is_none())
        {
            return Err(Error::Shop {
                message: format!("alert_emails: `{bad}` is not an email address"),
            });
        }
        Ok(self.prepared())
    }

    /// Builds the normalized lookups. Settings built by hand (struct literal or
    /// `..Default::default()`) must pass through this before use; the loaders and
    /// [`crate::engine::Engine::with_shop`] do it.
    pub fn prepared(mut self) -> Shop {
        self.keys = ShopKeys {
            phones: self
                .phones
                .iter()
                .filter_map(|p| normalize_phone(p))
                .collect(),
            emails: self
                .emails
                .iter()
                .filter_map(|e| normalize_email(e))
                .collect(),
            trusted: self
                .trusted_customers
                .iter()
                .map(|t| normalize_email(t).unwrap_or_else(|| t.trim().to_string()))
                .collect(),
            name: self
                .name
                .as_deref()
                .map(crate::signals::names::fold_name)
                .filter(|n| !n.is_empty()),
        };
        self
    }

    /// True when `e164` is one of the shop's own phone numbers.
    pub fn is_shop_phone(&self, e164: &str) -> bool {
        self.keys.phones.contains(e164)
    }

    /// True when the normalized email is one of the shop's own addresses.
    pub fn is_shop_email(&self, normalized: &str) -> bool {
        self.keys.emails.contains(normalized)
    }

    /// True when the folded name (see [`crate::signals::names::fold_name`]) is the shop's.
    pub fn is_shop_name(&self, folded: &str) -> bool {
        self.keys.name.as_deref() == Some(folded)
    }

    /// True when a customer ID or (normalized) email is trusted.
    pub fn is_trusted(&self, customer_id: Option<&str>, email: Option<&str>) -> bool {
        customer_id.is_some_and(|c| self.keys.trusted.contains(crate::ascii::trim(c)))
            || email.is_some_and(|e| self.keys.trusted.contains(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_agree() {
        let j = Shop::from_json(
            r#"{"name":"店","phones":["0120-000-111"],"emails":["Shop@Example.jp"],
                "ships_to_forwarders":true,"alert_threshold":25,"trusted_customers":["c-1"],
                "alert_emails":["a@example.jp"]}"#,
        )
        .unwrap();
        let t = Shop::from_toml(
            "name = \"店\"\nphones = [\"0120-000-111\"]\nemails = [\"Shop@Example.jp\"]\n\
             ships_to_forwarders = true\nalert_threshold = 25\ntrusted_customers = [\"c-1\"]\n\
             alert_emails = [\"a@example.jp\"]\n",
        )
        .unwrap();
        assert_eq!(j, t);
        assert!(j.is_shop_email("shop@example.jp"));
        assert!(j.is_shop_phone("+81120000111"));
        assert!(j.is_trusted(Some("c-1"), None));
        assert!(!j.is_trusted(Some("c-2"), Some("x@example.jp")));
    }

    #[test]
    fn defaults() {
        let s = Shop::from_json("{}").unwrap();
        assert_eq!(s.alert_threshold, 10);
        assert!(!s.ships_to_forwarders);
        assert_eq!(s, Shop::default());
    }

    #[test]
    fn refused_settings() {
        let many: Vec<String> = (0..11).map(|i| format!("\"a{i}@example.jp\"")).collect();
        let err = Shop::from_json(&format!("{{\"alert_emails\":[{}]}}", many.join(",")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 10"), "{err}");
        assert!(Shop::from_json(r#"{"alert_threshold": 101}"#).is_err());
        assert!(Shop::from_json(r#"{"alert_emails": ["nope"]}"#).is_err());
        assert!(Shop::from_toml("alert_threshold = \"high\"").is_err());
    }

    #[test]
    fn trusted_emails_are_normalized() {
        let s = Shop::from_json(r#"{"trusted_customers":["T.aro+x@GMail.com"]}"#).unwrap();
        assert!(s.is_trusted(None, Some("taro@gmail.com")));
    }
}
