//! `Engine::score_batch` on in-memory orders, on one and two threads.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mikiwame::engine::Engine;

fn score_batch(c: &mut Criterion) {
    let orders = mikiwame_benches::orders::generate_orders(20_000, 42);
    let mut group = c.benchmark_group("score_batch");
    group.throughput(Throughput::Elements(orders.len() as u64));
    group.sample_size(10);
    for threads in [1, 2] {
        let engine = Engine::new().with_threads(threads);
        // Warm the pool and the lazily built tables outside the measurement.
        engine.score_batch(&orders[..100]);
        group.bench_with_input(BenchmarkId::new("threads", threads), &orders, |b, o| {
            b.iter(|| engine.score_batch(o))
        });
    }
    group.finish();
}

criterion_group!(benches, score_batch);
criterion_main!(benches);
