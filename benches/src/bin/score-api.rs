//! The same work as `benches/c-abi/score_bench.c`, through the Rust API: per order,
//! `Order::from_json` + `Engine::score_one` + `serde_json::to_string` (what `mkw_score_json`
//! does), and a batch of `parse_json_row` + `Engine::score_rows` + serialization (what
//! `mkw_score_jsonl` does), one thread, medians of REPEATS runs.
//!
//! `score-api INDEX ORDERS.jsonl [REPEATS]`

use std::time::Instant;

use mikiwame::engine::Engine;
use mikiwame::index::Index;
use mikiwame::order::{parse_json_row, Order, Row};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: score-api INDEX ORDERS.jsonl [REPEATS]".into());
    }
    let repeats: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let text = std::fs::read_to_string(&args[2])?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let engine = Engine::new()
        .with_history(Index::open(&args[1])?)
        .with_threads(1);
    let (mut one, mut batch) = (Vec::new(), Vec::new());
    let mut bytes = 0usize;
    for _ in 0..repeats {
        let t = Instant::now();
        for line in &lines {
            let order = Order::from_json(line).map_err(|e| e.message)?;
            bytes += serde_json::to_string(&engine.score_one(&order))?.len();
        }
        one.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let rows: Vec<Row> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| parse_json_row(l, i as u64 + 1))
            .collect();
        let mut out = Vec::with_capacity(rows.len() * 220);
        for a in engine.score_rows(&rows) {
            serde_json::to_writer(&mut out, &a)?;
            out.push(b'\n');
        }
        batch.push(t.elapsed().as_secs_f64());
        bytes += out.len();
    }
    let n = lines.len();
    let (m1, mb) = (median(one), median(batch));
    println!(
        "rust per-order score_one     : {n} orders, median {m1:.3} s, {:.2} us/order",
        m1 / n as f64 * 1e6
    );
    println!(
        "rust batch score_rows        : {n} orders, median {mb:.3} s, {:.2} us/order",
        mb / n as f64 * 1e6
    );
    eprintln!("({bytes} output bytes)");
    Ok(())
}
