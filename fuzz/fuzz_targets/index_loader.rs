//! Feeds the index loader arbitrary bytes, and mutations of a valid index file: it must
//! refuse them with an error, never panic. A file that passes `verify` is queried too.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mikiwame::address::Address;
use mikiwame::index::{CheckOptions, Forwarder, FraudRecord, Index, IndexBuilder};

fn place(banchi: u32, go: u32) -> Address {
    Address {
        prefecture: Some("東京都".into()),
        city: Some("世田谷区".into()),
        town: Some("池尻".into()),
        chome: Some(1),
        banchi: Some(banchi),
        go: Some(go),
        room: Some("101".into()),
        ..Default::default()
    }
}

/// A small valid index, the starting point of the mutations.
static VALID: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut b = IndexBuilder::new();
    // Several automata, so that mutations reach the key section's directory too.
    b.shards(3);
    for i in 1..20 {
        b.add_fraud(&FraudRecord {
            address: Some(place(i, i % 4)),
            email: Some(format!("f{i}@example.jp")),
            recorded_at: Some("2026-01-02".into()),
            source: Some("fuzz".into()),
            ..Default::default()
        });
    }
    b.add_forwarder(&Forwarder {
        name: "fwd".into(),
        address: place(40, 1),
        code_pattern: Some("FW[0-9]{6}".into()),
    });
    b.finish_to_vec().unwrap_or_default()
});

fn exercise(bytes: Vec<u8>) {
    if let Ok(index) = Index::new(bytes) {
        let _ = index.info();
        if index.verify().is_ok() {
            let opts = CheckOptions::default();
            let mut batch = Vec::new();
            for i in 0..45 {
                let _ = index.check(&place(i, i % 5));
                // The graded queries start from the locality table.
                let _ = index.address_grade(&place(i, i % 5), &opts);
                batch.push(place(i, i % 3));
            }
            let _ = index.grade_batch(&batch, &opts);
            let _ = index.known_email("f3@example.jp");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        // Mode 0: mutate the valid file: pairs of (position, xor mask), then a cut length.
        Some((0, rest)) => {
            let mut bytes = VALID.clone();
            if bytes.is_empty() {
                return;
            }
            let mut chunks = rest.chunks_exact(3);
            for c in &mut chunks {
                let at = u16::from_le_bytes([c[0], c[1]]) as usize % bytes.len();
                bytes[at] ^= c[2];
            }
            if let [cut, ..] = chunks.remainder() {
                let keep = bytes.len().saturating_sub(*cut as usize);
                bytes.truncate(keep);
            }
            exercise(bytes);
        }
        // Otherwise: the bytes as they are.
        _ => exercise(data.to_vec()),
    }
});
