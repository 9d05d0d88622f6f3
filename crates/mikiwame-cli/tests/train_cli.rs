//! `mikiwame train` and `mikiwame evaluate` end to end, on synthetic labelled orders.
#![allow(clippy::unwrap_used)]

mod common;

use common::mikiwame;

use mikiwame::engine::Engine;
use mikiwame::learn::synthetic::{labelled_orders, Truth};
use mikiwame::score::Model;

#[test]
fn train_then_evaluate_then_score() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.jsonl");
    let mut text = String::new();
    let engine = Engine::new().with_threads(1);
    for l in labelled_orders(&engine, &Truth::orders_example(), 3000, 3) {
        let mut v = serde_json::to_value(&l.order).unwrap();
        v["fraud"] = l.fraud.into();
        text.push_str(&v.to_string());
        text.push('\n');
    }
    text.push_str("{\"order_id\":\"bad-1\",\"label\":7}\n");
    std::fs::write(&labels, &text).unwrap();
    let model = dir.path().join("model.toml");
    let (code, _, err) = mikiwame(
        &[
            "train",
            "--labels",
            labels.to_str().unwrap(),
            "--l2",
            "2",
            "-o",
            model.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("row 3001, field `label`"), "{err}");
    assert!(err.contains("3000 orders"), "{err}");
    let trained = Model::load(&model).unwrap();
    assert!(trained.description.contains("3000 labelled orders"));
    assert_ne!(trained, Model::default());

    let report = dir.path().join("eval.json");
    let chart = dir.path().join("eval.svg");
    let (code, _, err) = mikiwame(
        &[
            "evaluate",
            "--labels",
            labels.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--json",
            report.to_str().unwrap(),
            "--chart",
            chart.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["orders"], 3000);
    assert_eq!(r["skipped"], 1);
    assert!(r["roc_auc"].as_f64().unwrap() > 0.6);
    assert_eq!(r["reliability"].as_array().unwrap().len(), 10);
    assert_eq!(r["at_threshold"][0]["threshold"], 10);
    assert!(std::fs::read_to_string(&chart).unwrap().starts_with("<svg"));

    // The trained model scores orders like any model file.
    let (code, out, err) = mikiwame(
        &[
            "score",
            "--model",
            model.to_str().unwrap(),
            labels.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3001);
}

#[test]
fn csv_labels_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.csv");
    let mut csv = String::from("order_id,buyer_name,item_category,label\n");
    for i in 0..40 {
        let (name, cat, label) = if i % 4 == 0 {
            ("徳川家康", "gift_card", 1)
        } else {
            ("佐藤花子", "book", 0)
        };
        csv.push_str(&format!("o{i},{name},{cat},{label}\n"));
    }
    std::fs::write(&labels, &csv).unwrap();
    let model = dir.path().join("m.json");
    let (code, _, err) = mikiwame(
        &[
            "train",
            "--labels",
            labels.to_str().unwrap(),
            "-o",
            model.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    assert!(Model::load(&model).is_ok());
    // Only legitimate orders: nothing to learn from, exit code 1.
    let only_legit = dir.path().join("legit.csv");
    std::fs::write(&only_legit, "order_id,label\na,0\nb,0\n").unwrap();
    let (code, _, err) = mikiwame(
        &[
            "train",
            "--labels",
            only_legit.to_str().unwrap(),
            "-o",
            model.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("fraudulent and legitimate"), "{err}");
    let missing = dir.path().join("none.jsonl");
    let (code, _, _) = mikiwame(&["evaluate", "--labels", missing.to_str().unwrap()], b"");
    assert_eq!(code, 1);
}
