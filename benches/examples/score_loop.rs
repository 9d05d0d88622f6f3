//! Times `Engine::score_batch` call after call in one process, with mimalloc as in the
//! `score_mimalloc` bench: for profilers (`perf record -p PID` once it prints `ready`) and
//! for comparisons steadier than separate criterion runs.
//!
//! ```sh
//! cargo run --release -p mikiwame-benches --example score_loop -- 20000 1 40
//! ```
//!
//! Arguments: orders per batch (generated, seed 42), threads, timed calls. Prints the
//! median and quartiles in milliseconds and orders per second.

use std::time::Instant;

use mikiwame::engine::Engine;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: score_loop ORDERS THREADS CALLS";
    let n: usize = args.next().ok_or(usage)?.replace('_', "").parse()?;
    let threads: usize = args.next().ok_or(usage)?.parse()?;
    let calls: usize = args.next().ok_or(usage)?.parse()?;
    let orders = mikiwame_benches::orders::generate_orders(n, 42);
    let engine = Engine::new().with_threads(threads);
    engine.score_batch(&orders[..orders.len().min(100)]);
    eprintln!("ready (pid {})", std::process::id());
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let t = Instant::now();
        let out = engine.score_batch(&orders);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(out.len(), orders.len());
    }
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{n} orders, {threads} thread(s): median {:.2} ms ({:.0} orders/s), quartiles {:.2}-{:.2} ms",
        q(0.5),
        n as f64 / q(0.5) * 1e3,
        q(0.25),
        q(0.75)
    );
    Ok(())
}
