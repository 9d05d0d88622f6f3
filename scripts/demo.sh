#!/usr/bin/env bash
# The main job on the bundled example data: normalize example addresses, build the fraud
# index, check addresses against it, score example orders and show the alerts.
# Builds the CLI first (release), so the only prerequisite is a Rust toolchain (and
# python3 for the one-line summaries).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p mikiwame-cli
bin="${CARGO_TARGET_DIR:-target}/release/mikiwame"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== 1. Normalize addresses: examples/addresses.txt"
"$bin" normalize examples/addresses.txt > "$out/normalized.jsonl"
python3 - "$out/normalized.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    flags = ",".join(d.get("anomalies") or [])
    print(f"  {d['unit_key']:<46} {flags}")
PY
