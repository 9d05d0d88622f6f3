//! Brand profiles: the brand's keywords, official domains and numbers, and blocklists.
//!
//! A profile is a JSON or TOML file. Lists of domains or numbers are given inline or as a
//! path to a file with one entry a line (`#` starts a comment); every blocklist becomes an
//! `fst` set, so a million entries cost a few megabytes and a lookup well under a microsecond.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::domain::normalize_domain;
use crate::contact::parse_phone;
use crate::{Error, Result};

/// The built-in profiles: name and TOML text.
const BUILTIN: &[(&str, &str)] = &[(
    "amazon",
    include_str!("../../data/impersonation/amazon.toml"),
)];

/// The default free-mail provider list, used when a profile gives none.
const FREEMAIL: &str = include_str!("../../data/impersonation/freemail_domains.txt");

/// A sorted set of strings (domains or E.164 numbers) stored as an `fst::Set`.
///
/// ```
/// use mikiwame::impersonation::Blocklist;
/// let b = Blocklist::from_entries(["evil.example", "amaz0n.example", "evil.example"]).unwrap();
/// assert_eq!(b.len(), 2);
/// assert!(b.contains("evil.example") && !b.contains("good.example"));
/// ```
#[derive(Clone, Default)]
pub struct Blocklist {
    set: fst::Set<Vec<u8>>,
}

impl std::fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blocklist")
            .field("len", &self.set.len())
            .finish()
    }
}

impl Blocklist {
    /// Builds a set from entries in any order (they are sorted and deduplicated). Entries
    /// are used as given: normalize them first (profiles do).
    pub fn from_entries<I, S>(entries: I) -> Result<Blocklist>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut v: Vec<String> = entries
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect();
        v.sort_unstable();
        v.dedup();
        Self::from_sorted(v)
    }

    /// Builds a set from entries already sorted in byte order and without duplicates,
    /// streaming (no copy of the whole list).
    pub fn from_sorted<I, S>(entries: I) -> Result<Blocklist>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let set = fst::Set::from_iter(entries).map_err(|e| Error::Profile {
            source_name: "blocklist".into(),
            message: format!("cannot build the set ({e}): entries must be sorted and unique"),
        })?;
        Ok(Blocklist { set })
    }

    /// True when the entry is in the set.
    pub fn contains(&self, entry: &str) -> bool {
        self.set.contains(entry)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when the set has no entries.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// A list in a profile file: inline entries, or a path to a file of one entry a line.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ListSource {
    Inline(Vec<String>),
    Path(PathBuf),
    File { path: PathBuf },
}

/// The profile file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    official_sender_domains: Vec<String>,
    #[serde(default)]
    official_web_domains: Vec<String>,
    #[serde(default)]
    official_phones: Vec<String>,
    #[serde(default)]
    phone_region: Option<String>,
    #[serde(default)]
    freemail_domains: Option<ListSource>,
    #[serde(default)]
    exceptions: Vec<String>,
    #[serde(default)]
    blocklist_domains: Option<ListSource>,
    #[serde(default)]
    blocklist_phones: Option<ListSource>,
}

/// A brand as the screener sees it: keywords, official domains and numbers, free-mail
/// providers, exception words and blocklists, all normalized.
///
/// ```
/// use mikiwame::impersonation::BrandProfile;
/// let p = BrandProfile::builtin("amazon").unwrap();
/// assert!(p.official_sender_domains().iter().any(|d| d == "amazon.co.jp"));
/// assert!(p.keywords().iter().any(|k| k == "アマゾン"));
///
/// let q = BrandProfile::from_toml_str(
///     "name = \"acme\"\nkeywords = [\"acme\"]\nofficial_web_domains = [\"acme.example\"]\nblocklist_domains = [\"acme-login.example\"]",
///     None,
/// ).unwrap();
/// assert!(q.blocklist_domains().contains("acme-login.example"));
/// ```
#[derive(Debug, Clone)]
pub struct BrandProfile {
    name: String,
    keywords: Vec<String>,
    official_sender_domains: Vec<String>,
    official_web_domains: Vec<String>,
    official_phones: HashSet<String>,
    freemail_domains: HashSet<String>,
    exceptions: Vec<String>,
    blocklist_domains: Blocklist,
    blocklist_phones: Blocklist,
}

impl BrandProfile {
    /// A profile that ships with the library (`amazon`).
    pub fn builtin(name: &str) -> Result<BrandProfile> {
        let key = name.trim().to_lowercase();
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == key)
            .ok_or_else(|| Error::Profile {
                source_name: name.to_string(),
                message: format!(
                    "no built-in profile of that name (built in: {}); pass a profile file instead",
                    Self::builtin_names().join(", ")
                ),
            })?;
        Self::from_toml_str(text, None)
    }

    /// The names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Reads a profile file: `.json` is read as JSON, anything else as TOML. List paths in
    /// it are relative to the file's directory.
    pub fn from_path(path: impl AsRef<Path>) -> Result<BrandProfile> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let dir = path.parent();
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            let file: ProfileFile = serde_json::from_str(&text).map_err(|e| Error::Profile {
                source_name: path.display().to_string(),
                message: format!("not a valid JSON profile: {e}"),
            })?;
            Self::resolve(file, dir, &path.display().to_string())
        } else {
            let file: ProfileFile = toml::from_str(&text).map_err(|e| Error::Profile {
                source_name: path.display().to_string(),
                message: format!("not a valid TOML profile: {e}"),
            })?;
            Self::resolve(file, dir, &path.display().to_string())
        }
    }

    /// Reads a TOML profile from a string; list paths are relative to `base_dir` (or the
    /// working directory).
    pub fn from_toml_str(text: &str, base_dir: Option<&Path>) -> Result<BrandProfile> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| Error::Profile {
            source_name: "(string)".into(),
            message: format!("not a valid TOML profile: {e}"),
        })?;
        Self::resolve(file, base_dir, "(string)")
    }

    /// Reads a JSON profile from a string; list paths are relative to `base_dir` (or the
    /// working directory).
    pub fn from_json_str(text: &str, base_dir: Option<&Path>) -> Result<BrandProfile> {
        let file: ProfileFile = serde_json::from_str(text).map_err(|e| Error::Profile {
            source_name: "(string)".into(),
            message: format!("not a valid JSON profile: {e}"),
        })?;
        Self::resolve(file, base_dir, "(string)")
    }

    fn resolve(file: ProfileFile, dir: Option<&Path>, source: &str) -> Result<BrandProfile> {
        let bad = |message: String| Error::Profile {
            source_name: source.to_string(),
            message,
        };
        let name = file.name.trim().to_string();
        if name.is_empty() {
            return Err(bad("`name` is empty: give the brand a name".into()));
        }
        let keywords: Vec<String> = file
            .keywords
            .iter()
            .map(|k| fold_keyword(k))
            .filter(|k| !k.is_empty())
            .collect();
        let domains = |list: &[String], field: &str| -> Result<Vec<String>> {
            list.iter()
                .map(|d| {
                    normalize_domain(d)
                        .ok_or_else(|| bad(format!("`{field}`: `{d}` is not a domain name")))
                })
                .collect()
        };
        let official_sender_domains =
            domains(&file.official_sender_domains, "official_sender_domains")?;
        let official_web_domains = domains(&file.official_web_domains, "official_web_domains")?;
        let region = file.phone_region.as_deref();
        let phone = |entry: &str, field: &str| -> Result<String> {
            parse_phone(entry, region)
                .map(|p| p.e164)
                .map_err(|e| bad(format!("`{field}`: `{entry}`: {e}")))
        };
        let official_phones = file
            .official_phones
            .iter()
            .map(|p| phone(p, "official_phones"))
            .collect::<Result<HashSet<_>>>()?;
        let freemail_domains: HashSet<String> = match &file.freemail_domains {
            None => list_lines(FREEMAIL)
                .filter_map(|(_, d)| normalize_domain(d))
                .collect(),
            Some(src) => read_list(src, dir, source)?
                .into_iter()
                .map(|(line, d)| {
                    normalize_domain(&d).ok_or_else(|| {
                        bad(format!(
                            "`freemail_domains` entry {line}: `{d}` is not a domain name"
                        ))
                    })
                })
                .collect::<Result<_>>()?,
        };
        let exceptions = file.exceptions.iter().map(|e| fold_keyword(e)).collect();
        let blocklist_domains = match &file.blocklist_domains {
            None => Blocklist::default(),
            Some(src) => {
                let entries = read_list(src, dir, source)?
                    .into_iter()
                    .map(|(line, d)| {
                        normalize_domain(&d).ok_or_else(|| {
                            bad(format!(
                                "`blocklist_domains` entry {line}: `{d}` is not a domain name"
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Blocklist::from_entries(entries)?
            }
        };
        let blocklist_phones = match &file.blocklist_phones {
            None => Blocklist::default(),
            Some(src) => {
                let entries = read_list(src, dir, source)?
                    .into_iter()
                    .map(|(_, p)| phone(&p, "blocklist_phones"))
                    .collect::<Result<Vec<_>>>()?;
                Blocklist::from_entries(entries)?
            }
        };
        Ok(BrandProfile {
            name,
            keywords,
            official_sender_domains,
            official_web_domains,
            official_phones,
            freemail_domains,
            exceptions,
            blocklist_domains,
            blocklist_phones,
        })
    }

    /// Replaces the domain blocklist (for lists built elsewhere, e.g. from a feed).
    pub fn with_blocklist_domains(mut self, blocklist: Blocklist) -> BrandProfile {
        self.blocklist_domains = blocklist;
        self
    }

    /// Replaces the phone blocklist; entries must be E.164 (`+81...`).
    pub fn with_blocklist_phones(mut self, blocklist: Blocklist) -> BrandProfile {
        self.blocklist_phones = blocklist;
        self
    }

    /// The brand's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Brand keywords, NFKC and lower-case, in any script.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// Official sender domains (ASCII, lower-case).
    pub fn official_sender_domains(&self) -> &[String] {
        &self.official_sender_domains
    }

    /// Official web domains (ASCII, lower-case).
    pub fn official_web_domains(&self) -> &[String] {
        &self.official_web_domains
    }

    /// Official phone numbers, E.164.
    pub fn official_phones(&self) -> &HashSet<String> {
        &self.official_phones
    }

    /// Free-mail provider domains.
    pub fn freemail_domains(&self) -> &HashSet<String> {
        &self.freemail_domains
    }

    /// Words that contain a keyword but are not the brand (`amazonas`).
    pub fn exceptions(&self) -> &[String] {
        &self.exceptions
    }

    /// Blocklisted domains (a host matches when it or any parent domain is listed).
    pub fn blocklist_domains(&self) -> &Blocklist {
        &self.blocklist_domains
    }

    /// Blocklisted phone numbers, E.164.
    pub fn blocklist_phones(&self) -> &Blocklist {
        &self.blocklist_phones
    }
}

/// NFKC and lower-case: how keywords and exception words are compared.
pub(crate) fn fold_keyword(s: &str) -> String {
    s.trim().nfkc().collect::<String>().to_lowercase()
}

/// Non-empty, non-comment lines of a list, with 1-based line numbers.
fn list_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// The entries of a list source, with line numbers (inline entries count from 1).
fn read_list(src: &ListSource, dir: Option<&Path>, source: &str) -> Result<Vec<(usize, String)>> {
    match src {
        ListSource::Inline(v) => Ok(v
            .iter()
            .enumerate()
            .map(|(i, s)| (i + 1, s.trim().to_string()))
            .filter(|(_, s)| !s.is_empty())
            .collect()),
        ListSource::Path(p) | ListSource::File { path: p } => {
            let full = match dir {
                Some(d) if p.is_relative() => d.join(p),
                _ => p.clone(),
            };
            let text = std::fs::read_to_string(&full).map_err(|e| Error::Profile {
                source_name: source.to_string(),
                message: format!("cannot read list {}: {e}", full.display()),
            })?;
            Ok(list_lines(&text).map(|(n, l)| (n, l.to_string())).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_amazon_has_published_sender_domains() {
        let p = BrandProfile::builtin("Amazon").unwrap();
        for d in [
            "amazon.com",
            "amazon.co.jp",
            "amazonsellerservices.com",
            "sell.amazon.com.au",
            "gs.amazon.cn",
            "vender.amazon.com.mx",
            "satis.amazon.com.tr",
        ] {
            assert!(p.official_sender_domains().iter().any(|x| x == d), "{d}");
        }
        assert!(p.freemail_domains().contains("gmail.com"));
        assert!(p.exceptions().iter().any(|e| e == "amazonas"));
    }

    #[test]
    fn unknown_builtin_is_an_error_naming_the_known_ones() {
        let e = BrandProfile::builtin("nosuch").unwrap_err().to_string();
        assert!(e.contains("amazon"), "{e}");
    }

    #[test]
    fn json_profile_with_list_files() {
        let dir = std::env::temp_dir().join(format!("mkw-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("bl.txt"),
            "# bad ones\nEvil.Example\n\nxn--mazon-3ve.example\n",
        )
        .unwrap();
        std::fs::write(dir.join("phones.txt"), "03-1234-5678\n+33 1 23 45 67 89\n").unwrap();
        let json = r#"{"name":"acme","keywords":["ACME"],"official_web_domains":["acme.example"],
            "blocklist_domains":"bl.txt","blocklist_phones":{"path":"phones.txt"},
            "freemail_domains":["mail.example"]}"#;
        std::fs::write(dir.join("p.json"), json).unwrap();
        let p = BrandProfile::from_path(dir.join("p.json")).unwrap();
        assert_eq!(p.keywords(), ["acme"]);
        assert!(p.blocklist_domains().contains("evil.example"));
        assert!(p.blocklist_domains().contains("xn--mazon-3ve.example"));
        assert!(p.blocklist_phones().contains("+81312345678"));
        assert!(p.blocklist_phones().contains("+33123456789"));
        assert!(
            p.freemail_domains().contains("mail.example")
                && !p.freemail_domains().contains("gmail.com")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_entries_are_reported_with_the_field() {
        let e = BrandProfile::from_toml_str(
            "name = \"x\"\nofficial_web_domains = [\"not a domain\"]",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("official_web_domains"), "{e}");
        let e = BrandProfile::from_toml_str("name = \"x\"\nofficial_phones = [\"abc\"]", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("official_phones"), "{e}");
        let e = BrandProfile::from_toml_str(
            "name = \"x\"\nblocklist_domains = \"/nonexistent/bl.txt\"",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("cannot read list"), "{e}");
        assert!(BrandProfile::from_toml_str("name = \"x\"\nunknown_field = 1", None).is_err());
    }
}
