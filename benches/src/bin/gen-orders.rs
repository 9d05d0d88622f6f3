//! Writes N generated orders as JSONL to standard output: `gen-orders N [SEED]`.

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out.lock());
    // Generate in blocks so that memory stays small for millions of orders.
    let mut written = 0;
    let mut block_seed = seed;
    while written < n {
        let take = (n - written).min(100_000);
        for mut o in mikiwame_benches::orders::generate_orders(take, block_seed) {
            o.order_id = format!("G-{written}");
            written += 1;
            if serde_json::to_writer(&mut out, &o).is_err() || out.write_all(b"\n").is_err() {
                std::process::exit(1);
            }
        }
        block_seed = block_seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
    }
    let _ = out.flush();
}
