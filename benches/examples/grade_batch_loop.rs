//! Times `Index::grade_batch` call after call in one process, for profilers and for
//! comparisons steadier than separate criterion runs (a large index is built once and
//! then only opened).
//!
//! ```sh
//! cargo run --release -p mikiwame-benches --example grade_batch_loop -- \
//!     /tmp/bench-10m.mkw 10000000 40
//! ```
//!
//! Arguments: the index file (built from the bench's synthetic records when missing), the
//! number of records, and the number of timed calls. The queries are the bench's: 100,000,
//! half at recorded addresses, in generated order. Prints the median and quartiles, and
//! the minor page faults per call. `KEEP=1` keeps the records alive during the calls, as
//! the criterion bench's process does.
//!
//! `MODE=single` times one-by-one `Index::address_grade` calls over the same queries
//! instead (a call is one pass over the 100,000), and `MODE=hashset` the baseline's
//! `HashSet::contains` over them: the bench's `query_random` pair, in one process each.

use std::time::Instant;

use mikiwame::index::{CheckOptions, Index, IndexBuilder};
use mikiwame_benches::{queries, records, HashBaseline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: grade_batch_loop INDEX_FILE RECORDS CALLS";
    let path = std::path::PathBuf::from(args.next().ok_or(usage)?);
    let n: usize = args.next().ok_or(usage)?.replace('_', "").parse()?;
    let calls: usize = args.next().ok_or(usage)?.parse()?;

    let started = Instant::now();
    let recs = records(n, 42);
    if !path.exists() {
        let t = Instant::now();
        let mut b = IndexBuilder::new();
        b.extend_fraud(&recs);
        b.finish(&path)?;
        eprintln!("built {} in {:?}", path.display(), t.elapsed());
    }
    let qs = queries(&recs, 100_000, 7);
    // `KEEP=1` keeps the records alive, as the criterion bench's process does. Measured
    // before `grade_batch` kept its buffers: with the records alive each call's fresh
    // buffers faulted in page by page; with them freed the allocator handed out their
    // already mapped memory, and no call faulted.
    let mode = std::env::var("MODE").unwrap_or_else(|_| "batch".into());
    let baseline = (mode == "hashset").then(|| HashBaseline::build(&recs));
    let _records = std::env::var_os("KEEP").map(|_| recs);
    let index = Index::open(&path)?;
    let opts = CheckOptions::default();
    let call = || match (mode.as_str(), &baseline) {
        ("single", _) => {
            for q in &qs {
                std::hint::black_box(index.address_grade(std::hint::black_box(q), &opts));
            }
        }
        (_, Some(b)) => {
            for q in &qs {
                std::hint::black_box(b.contains_unit(std::hint::black_box(q)));
            }
        }
        _ => {
            std::hint::black_box(index.grade_batch(std::hint::black_box(&qs), &opts));
        }
    };

    eprintln!("set up after {:?}", started.elapsed());
    // One warm-up call maps the automaton's pages.
    call();
    let faults = minor_faults();
    let mut times: Vec<f64> = (0..calls.max(1))
        .map(|_| {
            let t = Instant::now();
            call();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let faults_per_call = (minor_faults() - faults) / times.len() as u64;
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{mode}, {n} records, {} queries: median {:.2} ms (quartiles {:.2}-{:.2}), \
         {:.2}M q/s; {faults_per_call} page faults a call",
        qs.len(),
        q(0.5),
        q(0.25),
        q(0.75),
        qs.len() as f64 / q(0.5) / 1e3
    );
    Ok(())
}

/// The process's minor page faults so far (Linux; 0 elsewhere).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses); minflt is the 10th
    // field of the line, the 8th after the name.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(7))
        .and_then(|f| f.parse().ok())
        .unwrap_or(0)
}
