#!/usr/bin/env bash
# Builds the example index and a corrupted copy of it for the binding tests:
#   bindings/make-test-index.sh MIKIWAME_BINARY DIR  ->  DIR/fraud.idx, DIR/corrupted.idx
set -euo pipefail
bin="$1"
dir="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
# The example fraud records hold two deliberately bad rows, which the build reports.
"$bin" index build --fraud "$root/examples/fraud_records.csv" \
    --forwarders "$root/examples/forwarders.csv" -o "$dir/fraud.idx" 2>"$dir/index-build.log"
# Bytes inside the checksummed sections overwritten: the library must refuse the file.
cp "$dir/fraud.idx" "$dir/corrupted.idx"
printf '\377\377\377\377\377\377\377\377' |
    dd of="$dir/corrupted.idx" bs=1 seek=200 conv=notrunc status=none
