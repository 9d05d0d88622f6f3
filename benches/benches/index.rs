//! The fraud index against a `HashSet<String>`/`HashMap<String, _>` baseline over the same
//! synthetic records: bytes per record, build time, graded queries per second (sorted batch
//! and single random), open time.
//!
//! `MKW_BENCH_RECORDS` sets the number of records (default 1,000,000);
//! `MKW_BENCH_SKIP_BUILD=1` skips the repeated build measurements. See `benches/README.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use mikiwame::index::{CheckOptions, Index, IndexBuilder};
use mikiwame_benches::{queries, records, HashBaseline};

const QUERIES: usize = 100_000;

fn record_count() -> usize {
    std::env::var("MKW_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

fn main() {
    let n = record_count();
    let recs = records(n, 42);
    let qs = queries(&recs, QUERIES, 7);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("bench.mkw");

    let t = Instant::now();
    let mut b = IndexBuilder::new();
    b.extend_fraud(&recs);
    b.finish(&path).expect("build");
    let build_once = t.elapsed();
    let index = Index::open(&path).expect("open");
    // The same file read into huge pages (`Index::load`), for the rows marked `loaded`.
    let loaded = Index::load(&path).expect("load");
    let t = Instant::now();
    let baseline = HashBaseline::build(&recs);
    let baseline_build_once = t.elapsed();

    let file = index.size();
    eprintln!(
        "records: {n}, distinct units: {}",
        index.info().keys["address_unit"]
    );
    eprintln!(
        "bytes/record: index file {:.2}; HashSet<String> of unit keys {:.1}; all baseline maps {:.1}",
        file as f64 / n as f64,
        baseline.unit_set_bytes() as f64 / n as f64,
        baseline.graded_bytes() as f64 / n as f64,
    );
    eprintln!("one build: index {build_once:?}, baseline {baseline_build_once:?}");
    // Whether `Index::load` got huge pages (Linux; the whole process's count).
    let smaps = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    if let Some(line) = smaps.lines().find(|l| l.starts_with("AnonHugePages")) {
        eprintln!("after load: {line}");
    }

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let opts = CheckOptions::default();
    let mut g = c.benchmark_group(format!("index_{n}"));
    // Builds take seconds each; at 10M records criterion's ten samples take too long, and
    // `MKW_BENCH_SKIP_BUILD=1` leaves the build to the one timed above.
    let skip_build = std::env::var_os("MKW_BENCH_SKIP_BUILD").is_some();
    g.throughput(Throughput::Elements(n as u64));
    if !skip_build {
        g.bench_function("build/index", |bch| {
            bch.iter_batched(
                || dir.path().join("again.mkw"),
                |p| {
                    let mut b = IndexBuilder::new();
                    b.extend_fraud(&recs);
                    b.finish(&p).expect("build")
                },
                BatchSize::PerIteration,
            )
        });
        g.bench_function("build/hashmap", |bch| {
            bch.iter(|| HashBaseline::build(black_box(&recs)))
        });
    }

    g.throughput(Throughput::Elements(qs.len() as u64));
    let mut sorted = qs.clone();
    sorted.sort_by_key(|a| a.unit_key());
    g.bench_function("query_sorted_batch/index", |bch| {
        bch.iter(|| {
            for q in &sorted {
                black_box(index.check_with(q, &opts));
            }
        })
    });
    g.bench_function("query_sorted_batch/index_grade_only", |bch| {
        bch.iter(|| {
            for q in &sorted {
                black_box(index.address_grade(q, &opts));
            }
        })
    });
    // The merged batch query on the queries in generated order: encoding, sorting by index
    // key and the one pass over the automaton are all inside the measurement.
    g.bench_function("query_sorted_batch/index_grade_batch", |bch| {
        bch.iter(|| black_box(index.grade_batch(black_box(&qs), &opts)))
    });
    // The same on queries sorted beforehand in index order (locality hash, then 丁目, 番, 号
    // with "none" first: the order of the key bytes), as a caller that sorts its batch
    // first would pass them; the pass's own sort then finds them in order.
    let mut by_index = qs.clone();
    by_index.sort_by_key(|a| {
        (
            a.locality_hash(),
            a.chome.map(|c| u64::from(c) + 1),
            a.banchi,
            a.go,
        )
    });
    g.bench_function("query_sorted_batch/index_grade_batch_presorted", |bch| {
        bch.iter(|| black_box(index.grade_batch(black_box(&by_index), &opts)))
    });
    g.bench_function("query_sorted_batch/index_grade_batch_loaded", |bch| {
        bch.iter(|| black_box(loaded.grade_batch(black_box(&qs), &opts)))
    });
    g.bench_function("query_sorted_batch/hashmap", |bch| {
        bch.iter(|| {
            for q in &sorted {
                black_box(baseline.grade(q));
            }
        })
    });
    g.bench_function("query_random/index", |bch| {
        bch.iter(|| {
            for q in &qs {
                black_box(index.check_with(q, &opts));
            }
        })
    });
    g.bench_function("query_random/index_grade_only", |bch| {
        bch.iter(|| {
            for q in &qs {
                black_box(index.address_grade(q, &opts));
            }
        })
    });
    g.bench_function("query_random/index_grade_only_loaded", |bch| {
        bch.iter(|| {
            for q in &qs {
                black_box(loaded.address_grade(q, &opts));
            }
        })
    });
    g.bench_function("query_random/hashmap_graded", |bch| {
        bch.iter(|| {
            for q in &qs {
                black_box(baseline.grade(q));
            }
        })
    });
    g.bench_function("query_random/hashset_exact", |bch| {
        bch.iter(|| {
            for q in &qs {
                black_box(baseline.contains_unit(q));
            }
        })
    });
    g.bench_function("query_random/index_check_batch", |bch| {
        bch.iter(|| black_box(index.check_batch(&qs, &opts)))
    });

    g.throughput(Throughput::Elements(1));
    g.bench_function("open/index_unverified", |bch| {
        bch.iter(|| Index::open_unverified(black_box(&path)).expect("open"))
    });
    g.bench_function("open/index_verified", |bch| {
        bch.iter(|| Index::open(black_box(&path)).expect("open"))
    });
    g.finish();
    c.final_summary();
}
