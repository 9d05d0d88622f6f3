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
    if d.get("error"):
        e = d["error"]
        print(f"  row {e['row']}: {e['field']}: {e['message']}")
        continue
    flags = ",".join(d.get("anomalies") or [])
    print(f"  {d['unit_key']:<46} {flags}")
PY

echo
echo "== 2. Build the fraud index: examples/fraud_records.csv + examples/forwarders.csv"
"$bin" index build --fraud examples/fraud_records.csv --forwarders examples/forwarders.csv \
  -o "$out/examples.idx"
"$bin" index info "$out/examples.idx"

echo
echo "== 3. Check addresses against it"
"$bin" check --index "$out/examples.idx" examples/addresses.txt > "$out/checked.jsonl"
python3 - "$out/checked.jsonl" <<'PY'
import json, sys
stars = {"danger": "★★★", "caution": "★★ ", "warning": "★  ", "none": "   "}
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if d.get("error"):
        print(f"  error  {d['error']}")
        continue
    m, f = d["address_match"]["level"], d["forwarding"]["level"]
    print(f"  {stars[m]} {m:<8} forwarding={f:<8} {d['input']}")
PY

echo
echo "== 4. Score the example orders (examples/orders.jsonl, shop settings examples/shop.json)"
"$bin" score --index "$out/examples.idx" --shop examples/shop.json examples/orders.jsonl \
  > "$out/scored.jsonl"
echo
echo "== 5. The alerts, highest score first"
python3 - "$out/scored.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
alerts = sorted((r for r in rows if r.get("alert")), key=lambda r: -r["score"])
for r in alerts:
    reasons = ", ".join(x["code"] for x in r["reasons"][:3])
    dq = (" | data quality: " + ",".join(r["data_quality"])) if r["data_quality"] else ""
    print(f"  {r['order_id']:<7} {r['score']:>3} {r['band']:<8} {r['address_match']['level']:<8} {reasons}{dq}")
errors = [r for r in rows if r.get("error")]
for r in errors:
    e = r["error"]
    print(f"  {r.get('order_id') or '-':<7} row {e['row']}: {e['field']}: {e['message']}")
print(f"  {len(rows)} orders, {len(alerts)} alerts, {len(errors)} unreadable rows")
PY
