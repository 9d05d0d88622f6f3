#!/usr/bin/env bash
# End-to-end throughput of `mikiwame score` against a bare serde_json parse + serialize
# of the same JSONL file, in the same run.
#
#   benches/e2e.sh [N] [RUNS]      (default N=200000, RUNS=3)
#
# Builds the release binaries, generates N orders (deterministic), then times each
# command RUNS times, interleaved (so that load changes hit every command alike), and
# reports medians of wall time and of CPU time (user + sys), orders/s and the ratio to the
# baseline. Set CHRT="chrt -f 10" (as root) to run the commands at real-time priority, so
# that other processes on a shared machine do not preempt them; SKIP_BUILD=1 uses the
# binaries already in $CARGO_TARGET_DIR/release.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
RUNS=${2:-3}
CHRT=${CHRT:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet -p mikiwame-cli -p mikiwame-benches --bins 2>/dev/null
BIN=$CARGO_TARGET_DIR/release
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$BIN/gen-orders" "$N" 42 > "$DATA/orders.jsonl"
echo "input: $N orders, $(du -h "$DATA/orders.jsonl" | cut -f1), $(nproc) CPUs, load average $(cut -d" " -f1-3 /proc/loadavg)${CHRT:+, under $CHRT}"

# One run of a command (output to /dev/null): "wall cpu" in seconds.
timed() {
    /usr/bin/time -f "%e %U %S" -o "$DATA/time" $CHRT "$@" > /dev/null 2>&1
    awk '{printf "%s %.2f\n", $1, $2 + $3}' "$DATA/time"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$DATA/base"; : > "$DATA/one"; : > "$DATA/two"
for _ in $(seq "$RUNS"); do
    timed "$BIN/json-roundtrip" "$DATA/orders.jsonl" >> "$DATA/base"
    timed "$BIN/mikiwame" score --threads 1 "$DATA/orders.jsonl" >> "$DATA/one"
    timed "$BIN/mikiwame" score --threads 2 "$DATA/orders.jsonl" >> "$DATA/two"
done
wall() { cut -d" " -f1 "$DATA/$1" | median; }
cpu() { cut -d" " -f2 "$DATA/$1" | median; }
base=$(wall base); one=$(wall one); two=$(wall two)
rate() { echo "$N / $1" | bc -l | xargs printf '%.0f'; }
printf '%-38s %8s %8s %12s\n' "command" "wall s" "cpu s" "orders/s"
printf '%-38s %8.3f %8.2f %12s\n' "serde_json parse+serialize (1 thread)" "$base" "$(cpu base)" "$(rate "$base")"
printf '%-38s %8.3f %8.2f %12s  %.2fx baseline\n' "mikiwame score --threads 1" "$one" "$(cpu one)" "$(rate "$one")" "$(echo "$one / $base" | bc -l)"
printf '%-38s %8.3f %8.2f %12s  %.2fx baseline, %.2fx speed-up over 1 thread\n' "mikiwame score --threads 2" "$two" "$(cpu two)" "$(rate "$two")" "$(echo "$two / $base" | bc -l)" "$(echo "$one / $two" | bc -l)"
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
