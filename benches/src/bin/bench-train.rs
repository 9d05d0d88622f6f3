//! Times `mikiwame::learn::train` on N synthetic labelled orders: `bench-train [N] [RUNS]`
//! (default 1,000,000 orders, 3 runs; prints each run and the median).
//!
//! Generation is excluded from the timing. Each timed run featurizes the real `Order`s
//! with the engine (every per-order signal, and linking within chunks of 65,536, as
//! `mikiwame score` does) and then fits the logistic regression; the fit alone is timed
//! too. Thread count: the engine default (`RAYON_NUM_THREADS` or the CPUs).

use std::time::Instant;

use mikiwame::engine::Engine;
use mikiwame::learn::logistic::{fit, Examples};
use mikiwame::learn::synthetic::{labelled_orders_range, Truth};
use mikiwame::learn::{self, TrainOptions};
use mikiwame::signals::ReasonCode;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3).max(1);
    let engine = Engine::new();
    let truth = Truth::orders_example();
    let t = Instant::now();
    let mut labelled = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        let end = (start + 100_000).min(n);
        labelled.extend(labelled_orders_range(
            &engine,
            &truth,
            start..end,
            start as u64,
        ));
        start = end;
    }
    eprintln!(
        "generated {n} labelled orders in {:.1} s (not timed)",
        t.elapsed().as_secs_f64()
    );
    let mut totals = Vec::new();
    for run in 0..runs {
        let rows = labelled.clone();
        let t = Instant::now();
        let result = learn::train(&TrainOptions::default(), &engine, rows.into_iter().map(Ok));
        let secs = t.elapsed().as_secs_f64();
        match result {
            Ok((_, report)) => eprintln!(
                "run {run}: {secs:.2} s ({} orders, {} distinct vectors, {} iterations)",
                report.orders, report.distinct_feature_vectors, report.iterations
            ),
            Err(e) => {
                eprintln!("training failed: {e}");
                std::process::exit(1);
            }
        }
        totals.push(secs);
    }
    // The fit alone, on the aggregated feature vectors (featurizing not timed).
    let dim = ReasonCode::ALL.len();
    let mut examples = Examples::new(dim);
    for block in labelled.chunks(65_536) {
        let orders: Vec<_> = block.iter().map(|l| l.order.clone()).collect();
        for (f, l) in engine.features_batch(&orders).iter().zip(block) {
            let x: Vec<(usize, f64)> = f
                .hits
                .iter()
                .filter_map(|h| {
                    ReasonCode::ALL
                        .iter()
                        .position(|c| *c == h.code)
                        .map(|j| (j, h.strength))
                })
                .collect();
            examples.add(&x, l.fraud, l.weight);
        }
    }
    let t = Instant::now();
    let fit = fit(&examples, 1.0, &vec![0.0; dim]);
    let fit_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "fit alone: {fit_secs:.4} s on {} distinct vectors (converged: {})",
        examples.groups(),
        fit.map(|f| f.converged).unwrap_or(false)
    );
    println!(
        "train {n} orders: median {:.2} s over {runs} runs ({:.0} orders/s), threads {}",
        median(totals.clone()),
        n as f64 / median(totals),
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into())
    );
}
