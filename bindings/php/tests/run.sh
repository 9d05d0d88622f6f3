#!/usr/bin/env bash
# Runs the PHP tests and the PHP example against the release libmikiwame.so (built here
# when missing). Needs php-cli with FFI (bindings/run-tests.sh installs it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
lib="$target/release"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -p mikiwame-c -p mikiwame-cli
bindings/make-test-index.sh "$lib/mikiwame" "$work"
php -m | grep -x FFI >/dev/null || { echo "php has no FFI extension" >&2; exit 1; }

echo "== PHP tests"
# ffi.enable=preload (the default) allows FFI in the CLI; `true` makes the tests
# independent of the machine's php.ini.
php -d ffi.enable=true bindings/php/tests/EngineTest.php \
    "$work/fraud.idx" "$work/corrupted.idx" "$lib/libmikiwame.so"

echo "== PHP example (library from MIKIWAME_LIBRARY)"
out="$(MIKIWAME_LIBRARY="$lib/libmikiwame.so" php bindings/php/examples/score.php "$work/fraud.idx")"
echo "$out"
grep -q '"order_id":"A-1001"' <<<"$out"
grep -q '^hold order A-1001' <<<"$out"


echo "== PHP example with the library preloaded (ffi.preload, as under PHP-FPM)"
{
    echo '#define FFI_SCOPE "mikiwame"'
    echo "#define FFI_LIB \"$lib/libmikiwame.so\""
    cat bindings/php/src/mikiwame_php.h
} >"$work/mikiwame_preload.h"
out="$(php -d ffi.enable=preload -d ffi.preload="$work/mikiwame_preload.h" \
    bindings/php/examples/score.php "$work/fraud.idx")"
grep -q '^hold order A-1001' <<<"$out"
echo "PHP tests passed"
