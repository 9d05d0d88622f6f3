//! Writes N **synthetic** labelled orders as JSONL to standard output:
//! `gen-labelled N [SEED]`.
//!
//! The orders' attributes trigger signals with the frequencies of
//! `mikiwame::learn::synthetic::Truth::orders_example()`, and each label is drawn from that
//! truth's known weights over the codes the engine finds: training on this file should
//! recover those weights. Not real orders, not real fraud.

use std::io::Write;

use mikiwame::engine::Engine;
use mikiwame::learn::synthetic::{labelled_orders_range, Truth};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let engine = Engine::new();
    let truth = Truth::orders_example();
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out.lock());
    let mut start = 0;
    while start < n {
        let end = (start + 100_000).min(n);
        let block_seed = seed.wrapping_add(start as u64);
        for l in labelled_orders_range(&engine, &truth, start..end, block_seed) {
            let mut v = match serde_json::to_value(&l.order) {
                Ok(v) => v,
                Err(_) => std::process::exit(2),
            };
            if let Some(map) = v.as_object_mut() {
                map.insert("label".into(), u8::from(l.fraud).into());
            }
            if serde_json::to_writer(&mut out, &v).is_err() || out.write_all(b"\n").is_err() {
                std::process::exit(1);
            }
        }
        start = end;
    }
    let _ = out.flush();
}
