//! `Engine::score_batch` as in `score.rs`, with mimalloc as the global allocator: the
//! allocator `mikiwame score` and the Python module ship with. Scoring allocates on one
//! rayon thread and frees on another; glibc's per-thread arenas make that slow and, on
//! two threads, bimodal from run to run (see benches/README.md, "Scoring").

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

include!("common/score.rs");

fn score_batch(c: &mut Criterion) {
    bench_score_batch(c, "score_batch_mimalloc");
}

criterion_group!(benches, score_batch);
criterion_main!(benches);
