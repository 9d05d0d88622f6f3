#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the Rust test suite (unit, doc,
# golden fixtures, proptest), the C and PHP binding suites (header drift, gcc -Werror,
# valgrind, php-cli) and the Python suite (pytest, stubtest).
# Installs what it needs itself, so it runs on a clean machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== C and PHP bindings"
bindings/run-tests.sh
echo "== Python bindings"
bindings/python/run-tests.sh
