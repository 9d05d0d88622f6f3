#!/usr/bin/env bash
# The C ABI benchmark: 100,000 generated orders scored from C (per-order mkw_score_json
# and one mkw_score_jsonl batch) and through the Rust API, in the same run, one thread each.
#   benches/c-abi/run.sh [ORDERS] [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
n="${1:-100000}"
repeats="${2:-5}"
target="${CARGO_TARGET_DIR:-$root/target}"
lib="$target/release"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -p mikiwame-c -p mikiwame-cli -p mikiwame-benches --bins
"$lib/gen-orders" "$n" > "$work/orders.jsonl"
bindings/make-test-index.sh "$lib/mikiwame" "$work"
gcc -std=c11 -O2 -Wall -Wextra -Werror -I bindings/c/include benches/c-abi/score_bench.c \
    -L "$lib" -lmikiwame -o "$work/score_bench"
LD_LIBRARY_PATH="$lib" "$work/score_bench" "$work/fraud.idx" "$work/orders.jsonl" "$repeats"
"$lib/score-api" "$work/fraud.idx" "$work/orders.jsonl" "$repeats"
