//! `Engine::score_batch` on in-memory orders, on one and two threads, with the system
//! allocator (see `score_mimalloc.rs` for the allocator the CLI ships with).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main};

include!("common/score.rs");

fn score_batch(c: &mut Criterion) {
    bench_score_batch(c, "score_batch");
}

criterion_group!(benches, score_batch);
criterion_main!(benches);
