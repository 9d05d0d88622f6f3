//! Normalizes the benchmark corpus N times (for profilers: `valgrind --tool=callgrind`).
fn main() {
    let corpus = include_str!("../../crates/mikiwame/data/address/bench_addresses.txt");
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut n = 0usize;
    for _ in 0..rounds {
        for l in corpus.lines() {
            if let Ok(a) = mikiwame::address::normalize(l) {
                n += a.unit_key().as_str().len();
            }
        }
    }
    println!("{n}");
}
