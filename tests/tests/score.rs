//! End-to-end scoring of the bundled example batch (`examples/orders.jsonl` with
//! `examples/shop.json`), checked field by field against the golden assessments in
//! `tests/fixtures/score_examples.golden.jsonl` (shared with the binding tests).
//!
//! After an intended change of the scores, regenerate the golden file with
//! `MIKIWAME_BLESS=1 cargo test -p mikiwame-tests --test score` and review the diff.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use mikiwame::engine::{Assessment, Engine};
use mikiwame::index::{build_from_files, BuildInputs, ForwardingLevel, Grade, Index};
use mikiwame::order::{read_jsonl, Row};
use mikiwame::score::Band;
use mikiwame::shop::Shop;
use mikiwame::signals::{DataQuality, ReasonCode};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example index (examples/fraud_records.csv + forwarders.csv), built once per test
/// process into a temporary directory.
fn example_index() -> Index {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let path = PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("mikiwame-score-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let output = dir.join("examples.idx");
        build_from_files(&BuildInputs {
            fraud: vec![root().join("examples/fraud_records.csv")],
            forwarders: vec![root().join("examples/forwarders.csv")],
            base: None,
            output: output.clone(),
            strict: false,
        })
        .unwrap();
        output
    });
    Index::open(path).unwrap()
}

fn score_examples(threads: usize) -> Vec<Assessment> {
    let shop = Shop::load(&root().join("examples/shop.json")).unwrap();
    let engine = Engine::new()
        .with_history(example_index())
        .with_shop(shop)
        .with_threads(threads);
    let file = File::open(root().join("examples/orders.jsonl")).unwrap();
    let rows: Vec<Row> = read_jsonl(BufReader::new(file))
        .map(|r| r.unwrap())
        .collect();
    engine.score_rows(&rows)
}

const FIELDS: &[&str] = &[
    "order_id",
    "score",
    "band",
    "alert",
    "address_match",
    "forwarding",
    "reasons",
    "data_quality",
    "error",
];

#[test]
fn golden_examples_field_by_field() {
    let out = score_examples(2);
    let golden_path = root().join("tests/fixtures/score_examples.golden.jsonl");
    if std::env::var_os("MIKIWAME_BLESS").is_some() {
        let text: String = out
            .iter()
            .map(|a| serde_json::to_string(a).unwrap() + "\n")
            .collect();
        std::fs::write(&golden_path, text).unwrap();
        return;
    }
    let golden: Vec<Value> = std::fs::read_to_string(&golden_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), golden.len(), "one assessment per input row");
    for (a, g) in out.iter().zip(&golden) {
        let v = serde_json::to_value(a).unwrap();
        let id = g["order_id"].to_string();
        for field in FIELDS {
            assert_eq!(v.get(field), g.get(field), "order {id}, field `{field}`");
        }
        // No field beyond the contract.
        assert_eq!(
            v.as_object().unwrap().len(),
            g.as_object().unwrap().len(),
            "order {id}"
        );
    }
}

/// What a person reading the example batch sees, written out by hand: the golden file must
/// keep saying it.
#[test]
fn examples_say_what_a_person_sees() {
    let out = score_examples(1);
    let by_id: HashMap<&str, &Assessment> = out
        .iter()
        .filter_map(|a| Some((a.order_id.as_deref()?, a)))
        .collect();
    let a = |id: &str| *by_id.get(id).unwrap_or_else(|| panic!("{id} missing"));

    // Ordinary orders stay quiet.
    for id in ["A-1001", "A-1003", "A-1004"] {
        assert_eq!((a(id).band, a(id).alert), (Band::Low, false), "{id}");
        assert!(a(id).reasons.is_empty(), "{id}: {:?}", a(id).reasons);
    }
    // Ordinary buyers who happen to live next to past fraud are still pointed at: 梅田3-1-3
    // is one 番 from a recorded 梅田3-2-14 (warning), and 北三条西6-1-2 is a recorded
    // building (caution).
    assert_eq!(a("A-1002").address_match.level, Grade::Warning);
    assert!(a("A-1002").alert);
    assert_eq!(a("A-1005").address_match.level, Grade::Caution);
    assert!(
        !a("A-1005").alert,
        "c-1001 is a trusted customer: scored, never alerted"
    );
    // 徳川家康, 真田幸村, 織田信長, 坂本龍馬 buying gift cards at night, one after another.
    for id in ["B-2001", "B-2002", "B-2003", "B-2004"] {
        let b = a(id);
        assert_eq!(b.band, Band::High, "{id}");
        assert!(b.alert);
        assert_eq!(b.reasons[0].code, ReasonCode::CelebrityName, "{id}");
        for code in [
            ReasonCode::NameSeries,
            ReasonCode::HighRiskItems,
            ReasonCode::NightOrder,
            ReasonCode::NewAccount,
        ] {
            assert!(b.has(code), "{id} lacks {code}");
        }
    }
    // Four buyers, one shipping address.
    for id in ["C-3001", "C-3002", "C-3003", "C-3004"] {
        assert!(a(id).has(ReasonCode::SharedAddressManyBuyers), "{id}");
        assert!(a(id).alert, "{id}");
    }
    // Placeholders are data quality, not points.
    assert_eq!(
        a("D-4001").data_quality,
        [
            DataQuality::DummyName,
            DataQuality::DummyPhone,
            DataQuality::DummyEmail
        ]
    );
    assert_eq!(a("D-4003").data_quality, [DataQuality::ShopContactAsBuyer]);
    assert_eq!(a("D-4004").data_quality, [DataQuality::MissingAddress]);
    // Joke names and throwaway mail.
    assert!(
        a("E-5001").has(ReasonCode::GibberishName) && a("E-5001").has(ReasonCode::DisposableEmail)
    );
    assert!(a("E-5002").has(ReasonCode::GibberishName));
    assert!(
        a("E-5003").has(ReasonCode::GibberishName) && a("E-5003").has(ReasonCode::InvalidPhone)
    );
    assert!(a("E-5004").has(ReasonCode::NameMismatch));
    // One phone, three names; one card, three orders in sixteen minutes.
    for id in ["F-6001", "F-6002", "F-6003"] {
        assert!(a(id).has(ReasonCode::SharedContactManyNames), "{id}");
    }
    for id in ["G-7001", "G-7002", "G-7003"] {
        assert!(a(id).has(ReasonCode::BurstOrders), "{id}");
        assert!(!a(id).has(ReasonCode::SharedAddressManyBuyers), "{id}");
    }
    // The unreadable row is reported in place, and the batch went on.
    let bad = &out[20];
    assert_eq!(bad.order_id.as_deref(), Some("X-9001"));
    let err = bad.error.as_ref().unwrap();
    assert_eq!((err.row, err.field.as_str()), (21, "amount"));
    assert_eq!(out.len(), 37);
    // Against the example index: every grade and forwarding level, and known contacts.
    let grade = |id: &str| a(id).address_match.level;
    assert_eq!(
        grade("H-8001"),
        Grade::Danger,
        "same room, obfuscated notation"
    );
    assert!(a("H-8001").has(ReasonCode::AddressObfuscated));
    assert_eq!(grade("H-8002"), Grade::Danger, "same forwarder customer");
    assert_eq!(a("H-8002").forwarding.level, ForwardingLevel::Service);
    assert_eq!(a("H-8003").forwarding.level, ForwardingLevel::Possible);
    assert!(a("H-8004").has(ReasonCode::KnownFraudEmail));
    assert!(a("H-8005").has(ReasonCode::KnownFraudCard));
    assert_eq!(grade("H-8006"), Grade::Caution, "same house, another floor");
    assert_eq!(grade("H-8007"), Grade::Warning, "same 番, another 号");
    for id in ["H-8001", "H-8002", "H-8006", "H-8007"] {
        assert!(a(id).alert, "{id}: an address grade always alerts");
    }
    assert_eq!(grade("A-1001"), Grade::None);
    // Reasons are sorted by points.
    for x in &out {
        assert!(x.reasons.windows(2).all(|w| w[0].points >= w[1].points));
    }
}

#[test]
fn thread_count_does_not_change_the_batch() {
    assert_eq!(score_examples(1), score_examples(2));
}
