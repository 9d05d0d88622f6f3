//! Golden address pairs: every pair of notations in `fixtures/address_pairs.jsonl` must
//! relate as labelled (same unit, same block with another unit, different block).

use mikiwame::address::normalize;
use serde::Deserialize;

#[derive(Deserialize)]
struct Pair {
    category: String,
    relation: String,
    a: String,
    b: String,
}

#[test]
fn golden_pairs_relate_as_labelled() {
    let text = include_str!("../fixtures/address_pairs.jsonl");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let p: Pair = serde_json::from_str(line).expect("fixture line is JSON");
        n += 1;
        let a = normalize(&p.a).expect("fixture addresses are short");
        let b = normalize(&p.b).expect("fixture addresses are short");
        let same_block = a.block_key() == b.block_key();
        let same_unit = a.unit_key() == b.unit_key();
        let got = match (same_block, same_unit) {
            (true, true) => "same_unit",
            (true, false) => "same_block",
            (false, _) => "different_block",
        };
        if got != p.relation {
            failures.push(format!(
                "[{}] expected {} got {}\n   a: {} -> {}\n   b: {} -> {}",
                p.category,
                p.relation,
                got,
                p.a,
                a.unit_key(),
                p.b,
                b.unit_key()
            ));
        }
    }
    assert!(n >= 400, "only {n} pairs");
    assert!(
        failures.is_empty(),
        "{} of {n} pairs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
