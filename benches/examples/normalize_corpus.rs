//! Normalizes the benchmark corpus N times after one warm-up round (for profilers:
//! `valgrind --tool=callgrind --toggle-collect='*measured*'` counts only the timed rounds,
//! as criterion's warm-up would, so lazily built tables are not charged to them).

const CORPUS: &str = include_str!("../../crates/mikiwame/data/address/bench_addresses.txt");

#[inline(never)]
fn measured(rounds: usize) -> usize {
    run(rounds)
}

#[inline(never)]
fn warm_up() -> usize {
    run(1)
}

fn run(rounds: usize) -> usize {
    let mut n = 0usize;
    for _ in 0..rounds {
        for l in CORPUS.lines() {
            if let Ok(a) = mikiwame::address::normalize(l) {
                n += a.unit_key().as_str().len();
            }
        }
    }
    n
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let warm = warm_up();
    println!("{}", warm + measured(rounds));
}
