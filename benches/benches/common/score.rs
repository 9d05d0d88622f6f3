// The score bench body, shared by `score.rs` (system allocator) and `score_mimalloc.rs`
// (mimalloc, the allocator the CLI and the Python module ship with); `include!`d, since
// a bench binary's global allocator is fixed when it is linked.

use criterion::{BenchmarkId, Criterion, Throughput};
use mikiwame::engine::Engine;

fn bench_score_batch(c: &mut Criterion, group_name: &str) {
    let orders = mikiwame_benches::orders::generate_orders(20_000, 42);
    let mut group = c.benchmark_group(group_name);
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
