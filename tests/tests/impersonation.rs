//! Impersonation screening through the public API: the golden cases in
//! `tests/fixtures/impersonation/cases.jsonl`, generated lookalikes (recall) and real
//! unrelated domains (false positives).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use mikiwame::impersonation::{BrandProfile, Screener, Verdict};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/impersonation")
}

fn amazon() -> Screener {
    Screener::new(BrandProfile::builtin("amazon").unwrap()).unwrap()
}

/// Each case is one JSONL row as the CLI reads it plus `expect`: the output values that
/// must hold (`{"url": {"verdict": "lookalike", "reasons": ["edit_distance"]}}`); listed
/// `reasons` and `cues` must all be present, other values must be equal.
#[test]
fn golden_cases() {
    let builtin = amazon();
    let custom =
        Screener::new(BrandProfile::from_path(fixtures().join("shop_profile.toml")).unwrap())
            .unwrap();
    let text = std::fs::read_to_string(fixtures().join("cases.jsonl")).unwrap();
    let mut count = 0;
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_lang: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with("//") {
            continue;
        }
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let screener = match case.get("profile").and_then(Value::as_str) {
            Some("shop") => &custom,
            _ => &builtin,
        };
        let out = screener.screen_json(&case);
        let expect = case["expect"]
            .as_object()
            .unwrap_or_else(|| panic!("line {}: no expect", n + 1));
        for (field, want) in expect {
            *per_kind.entry(field.clone()).or_default() += 1;
            let got = &out[field];
            for (k, v) in want.as_object().unwrap() {
                let ok = match (k.as_str(), v) {
                    ("reasons" | "cues", Value::Array(items)) => {
                        let have = got[k].as_array().cloned().unwrap_or_default();
                        items.iter().all(|i| have.contains(i))
                    }
                    ("not_reasons" | "not_cues", Value::Array(items)) => {
                        let have = got[&k[4..]].as_array().cloned().unwrap_or_default();
                        items.iter().all(|i| !have.contains(i))
                    }
                    _ => &got[k] == v,
                };
                if !ok {
                    failures.push(format!("line {}: {field}.{k}: want {v}, got {got}", n + 1));
                }
            }
        }
        if let Some(lang) = case.get("lang").and_then(Value::as_str) {
            *per_lang.entry(lang.to_string()).or_default() += 1;
        }
        count += 1;
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 300, "only {count} cases");
    for kind in ["sender", "url", "phone", "text"] {
        assert!(
            per_kind.get(kind).copied().unwrap_or(0) >= 30,
            "few {kind} cases: {per_kind:?}"
        );
    }
    for lang in ["ja", "en", "fr", "zh"] {
        assert!(
            per_lang.get(lang).copied().unwrap_or(0) >= 15,
            "few {lang} cases: {per_lang:?}"
        );
    }
}

/// Lookalikes of the brand's main domains, made the way typosquatters make them.
fn generate_lookalikes() -> Vec<String> {
    let mut out = Vec::new();
    let letters: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789".chars().collect();
    let homoglyphs: &[(char, &[char])] = &[
        ('a', &['а', 'ɑ', 'à', 'á', 'ä', 'å', 'ạ']),
        ('m', &['м', 'ṃ']),
        ('z', &['ʐ', 'ẓ', 'ż', 'ž']),
        ('o', &['о', 'ο', '0', 'ö', 'ó', 'ọ', 'ȯ']),
        ('n', &['ո', 'ñ', 'ń', 'ṇ']),
    ];
    for suffix in ["com", "co.jp", "fr"] {
        let name: Vec<char> = "amazon".chars().collect();
        let with = |label: String| format!("{label}.{suffix}");
        for i in 0..name.len() {
            // omission
            let mut v = name.clone();
            v.remove(i);
            out.push(with(v.iter().collect()));
            // transposition
            if i + 1 < name.len() {
                let mut v = name.clone();
                v.swap(i, i + 1);
                out.push(with(v.iter().collect()));
            }
            for &c in &letters {
                // replacement
                let mut v = name.clone();
                v[i] = c;
                out.push(with(v.iter().collect()));
            }
            // hyphenation
            if i > 0 {
                let mut v = name.clone();
                v.insert(i, '-');
                out.push(with(v.iter().collect()));
            }
            // homoglyphs
            for (orig, subs) in homoglyphs {
                if name[i] == *orig {
                    for s in *subs {
                        let mut v = name.clone();
                        v[i] = *s;
                        out.push(with(v.iter().collect()));
                    }
                }
            }
        }
        for i in 0..=name.len() {
            for &c in &letters {
                // insertion
                let mut v = name.clone();
                v.insert(i, c);
                out.push(with(v.iter().collect()));
            }
        }
        out.push(with("rnazon".into()));
        out.push(with("arnazon".into()));
        out.push(with("amazom".into()));
        // subdomain of a foreign domain
        for host in [
            "secure-login.example",
            "account-verify.net",
            "evil.xyz",
            "jp-support.top",
        ] {
            out.push(format!("amazon.{suffix}.{host}"));
            out.push(format!("www.amazon.{suffix}.{host}"));
            out.push(format!("amazon.{host}"));
        }
    }
    // TLD swaps
    for tld in [
        "net",
        "org",
        "info",
        "biz",
        "xyz",
        "top",
        "shop",
        "online",
        "site",
        "jp",
        "ne.jp",
        "co",
        "cn.com",
        "com.biz",
        "co.jp.net",
        "support",
        "store",
        "vip",
        "cc",
        "tk",
    ] {
        out.push(format!("amazon.{tld}"));
    }
    let profile = BrandProfile::builtin("amazon").unwrap();
    let official: Vec<String> = profile
        .official_web_domains()
        .iter()
        .chain(profile.official_sender_domains())
        .cloned()
        .collect();
    let exceptions = profile.exceptions().to_vec();
    out.sort();
    out.dedup();
    // Generated names that are the brand's own, or exception words, are not lookalikes.
    out.retain(|d| {
        let ascii = mikiwame::impersonation::domain::normalize_domain(d).unwrap_or_default();
        let label = d.split('.').next().unwrap_or("");
        !official.contains(&ascii) && !exceptions.iter().any(|e| e == label)
    });
    out
}

#[test]
fn generated_lookalikes_are_found() {
    let s = amazon();
    let domains = generate_lookalikes();
    assert!(domains.len() > 1000, "{}", domains.len());
    let missed: Vec<&String> = domains
        .iter()
        .filter(|d| s.screen_url(&format!("https://{d}/signin")).verdict != Verdict::Lookalike)
        .collect();
    let recall = 1.0 - missed.len() as f64 / domains.len() as f64;
    eprintln!(
        "lookalike recall {recall:.4} over {} generated domains, missed {missed:?}",
        domains.len()
    );
    assert!(
        recall >= 0.99,
        "recall {recall:.4}, missed {} of {}: {missed:?}",
        missed.len(),
        domains.len()
    );
    // Senders at those domains are lookalikes too.
    let missed_senders = domains
        .iter()
        .filter(|d| {
            s.screen_sender(&format!("Account Service <no-reply@{d}>"), None)
                .verdict
                != Verdict::Lookalike
        })
        .count();
    assert!(
        missed_senders as f64 / domains.len() as f64 <= 0.01,
        "{missed_senders} senders missed"
    );
}

#[test]
fn unrelated_domains_are_not_lookalikes() {
    let s = amazon();
    let list = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/mikiwame/data/disposable_domains.txt"),
    )
    .unwrap();
    let domains: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(domains.len() >= 5000, "{}", domains.len());
    let flagged: Vec<&&str> = domains
        .iter()
        .filter(|d| s.screen_url(&format!("https://{d}/")).verdict == Verdict::Lookalike)
        .collect();
    let rate = flagged.len() as f64 / domains.len() as f64;
    eprintln!(
        "false lookalikes {} of {} unrelated domains: {flagged:?}",
        flagged.len(),
        domains.len()
    );
    assert!(rate <= 0.001, "false lookalike rate {rate:.5}: {flagged:?}");
    let flagged_senders = domains
        .iter()
        .filter(|d| {
            s.screen_sender(&format!("Support <info@{d}>"), None)
                .verdict
                == Verdict::Lookalike
        })
        .count();
    assert!(
        flagged_senders as f64 / domains.len() as f64 <= 0.001,
        "{flagged_senders} senders flagged"
    );
}

mod props {
    use super::*;
    use mikiwame::impersonation::Reason;
    use proptest::prelude::*;

    fn screener() -> &'static Screener {
        static S: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
        S.get_or_init(amazon)
    }

    /// Strings made of the pieces that tricky inputs are made of.
    fn tricky() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("amazon".to_string()),
            Just(".co.jp".to_string()),
            Just("@".to_string()),
            Just("\\".to_string()),
            Just("%".to_string()),
            Just("%61".to_string()),
            Just("xn--".to_string()),
            Just("http://".to_string()),
            Just("=?UTF-8?B?".to_string()),
            Just("?=".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("ａ".to_string()),
            Just("а".to_string()),
            Just("０５０".to_string()),
            Just("ギフトカード".to_string()),
            Just("-".to_string()),
            Just(".".to_string()),
            Just(" ".to_string()),
            "\\PC{0,4}",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics_and_verdicts_carry_their_reason(s in tricky()) {
            let sc = screener();
            for a in [sc.screen_url(&s), sc.screen_sender(&s, None), sc.screen_sender(&s, Some(false))] {
                match a.verdict {
                    Verdict::Official => prop_assert!(a.reasons.contains(&Reason::OfficialDomain)),
                    Verdict::Blocklisted => prop_assert!(a.reasons.contains(&Reason::BlocklistedDomain)),
                    Verdict::Lookalike => prop_assert!(!a.reasons.is_empty()),
                    Verdict::Unknown => {}
                }
            }
            let p = sc.screen_phone(&s, None);
            prop_assert_ne!(p.verdict, Verdict::Lookalike);
            let t = sc.screen_text(&s);
            prop_assert!(t.score <= 100);
            prop_assert_eq!(t.cues.is_empty(), t.score == 0);
        }

        #[test]
        fn text_verdict_follows_the_score(s in tricky()) {
            let t = screener().screen_text(&s);
            let want = if t.score >= 50 { "scam" } else if t.score >= 25 { "suspicious" } else { "legit" };
            prop_assert_eq!(t.verdict.as_str(), want);
        }
    }
}
