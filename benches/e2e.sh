#!/usr/bin/env bash
# End-to-end throughput of `mikiwame score` against a bare serde_json parse + serialize
# of the same JSONL file, in the same run.
#
#   benches/e2e.sh [N] [RUNS]      (default N=200000, RUNS=3)
#
# Builds the release binaries, generates N orders (deterministic), then times each
# command RUNS times and reports medians, orders/s and the ratio to the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
RUNS=${2:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet -p mikiwame-cli -p mikiwame-benches --bins 2>/dev/null
BIN=$CARGO_TARGET_DIR/release
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$BIN/gen-orders" "$N" 42 > "$DATA/orders.jsonl"
echo "input: $N orders, $(du -h "$DATA/orders.jsonl" | cut -f1), $(nproc) CPUs, load average $(cut -d" " -f1-3 /proc/loadavg)"

# Median wall time in seconds of RUNS runs of a command (output to /dev/null).
median() {
    local times=()
    for _ in $(seq "$RUNS"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

base=$(median "$BIN/json-roundtrip" "$DATA/orders.jsonl")
one=$(median "$BIN/mikiwame" score --threads 1 "$DATA/orders.jsonl")
two=$(median "$BIN/mikiwame" score --threads 2 "$DATA/orders.jsonl")
rate() { echo "$N / $1" | bc -l | xargs printf '%.0f'; }
printf '%-34s %8.3f s %10s orders/s\n' "serde_json parse+serialize (1 thread)" "$base" "$(rate "$base")"
printf '%-34s %8.3f s %10s orders/s  %.2fx baseline\n' "mikiwame score --threads 1" "$one" "$(rate "$one")" "$(echo "$one / $base" | bc -l)"
printf '%-34s %8.3f s %10s orders/s  %.2fx baseline, %.2fx speed-up over 1 thread\n' "mikiwame score --threads 2" "$two" "$(rate "$two")" "$(echo "$two / $base" | bc -l)" "$(echo "$one / $two" | bc -l)"
