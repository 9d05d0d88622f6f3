#!/usr/bin/env bash
# Builds libmikiwame (release) and runs the C tests and the example, compiled with
# -Wall -Wextra -Werror, then the tests once more under valgrind (leak-free or fail).
# Usage: bindings/c/tests/run.sh [--no-valgrind]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
lib="$target/release"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== build libmikiwame and the CLI (release)"
cargo build --release --locked -p mikiwame-c -p mikiwame-cli

echo "== build the example index"
bindings/make-test-index.sh "$lib/mikiwame" "$work"

cflags=(-std=c11 -Wall -Wextra -Werror -I bindings/c/include)
echo "== compile the C tests and the example (gcc ${cflags[*]})"
gcc "${cflags[@]}" -D_POSIX_C_SOURCE=200809L bindings/c/tests/test_capi.c \
    -L "$lib" -lmikiwame -lpthread -o "$work/test_capi"
gcc "${cflags[@]}" bindings/c/examples/score.c -L "$lib" -lmikiwame -o "$work/score"
# The static library links too (with the system libraries Rust's std needs).
gcc "${cflags[@]}" bindings/c/examples/score.c "$lib/libmikiwame.a" \
    -lpthread -ldl -lm -o "$work/score_static"

export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "== C tests"
"$work/test_capi" "$work/fraud.idx" "$work/corrupted.idx"
echo "== example"
out="$("$work/score" "$work/fraud.idx")"
echo "$out"
grep -q '"order_id":"A-1001"' <<<"$out"
grep -q '"level":"danger"' <<<"$out"
"$work/score_static" "$work/fraud.idx" | grep -q '"order_id":"A-1001"'
if "$work/score" /nonexistent.idx 2>"$work/err.txt"; then
    echo "the example should fail on a missing index" >&2
    exit 1
fi
grep -q "cannot open the engine" "$work/err.txt"

if [ "${1:-}" != "--no-valgrind" ]; then
    echo "== C tests under valgrind"
    # Process-wide caches (compiled screeners and regexes in statics, thread-local keys,
    # the rayon registry) live until exit: valgrind calls them "still reachable" or
    # "possibly lost" (pointers into their middle). Only definite and indirect leaks, i.e.
    # memory nothing points to any more, fail the run.
    valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect \
        --error-exitcode=1 "$work/test_capi" "$work/fraud.idx" "$work/corrupted.idx"
    valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect \
        --error-exitcode=1 "$work/score" "$work/fraud.idx" >/dev/null
fi
echo "C tests passed"
