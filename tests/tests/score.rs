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
use mikiwame::order::{read_jsonl, Row};
use mikiwame::score::Band;
use mikiwame::shop::Shop;
use mikiwame::signals::{DataQuality, ReasonCode};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn score_examples(threads: usize) -> Vec<Assessment> {
    let shop = Shop::load(&root().join("examples/shop.json")).unwrap();
    let engine = Engine::new().with_shop(shop).with_threads(threads);
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
    for id in ["A-1001", "A-1002", "A-1003", "A-1004", "A-1005"] {
        assert_eq!((a(id).band, a(id).alert), (Band::Low, false), "{id}");
        assert!(a(id).reasons.is_empty(), "{id}: {:?}", a(id).reasons);
    }
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
    assert_eq!(out.len(), 30);
    // Reasons are sorted by points.
    for x in &out {
        assert!(x.reasons.windows(2).all(|w| w[0].points >= w[1].points));
    }
}

#[test]
fn thread_count_does_not_change_the_batch() {
    assert_eq!(score_examples(1), score_examples(2));
}
