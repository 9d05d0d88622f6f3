#!/usr/bin/env bash
# Every test of the C and PHP bindings: the header drift check, the C tests and example
# (gcc -Wall -Wextra -Werror), the C tests under valgrind, the PHP tests and example.
# Installs what it needs (php-cli with FFI, valgrind, cbindgen) itself; runs as root on a
# clean Debian/Ubuntu machine with a Rust toolchain and gcc.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v valgrind >/dev/null || need+=(valgrind)
command -v php >/dev/null || need+=(php-cli)
if [ ${#need[@]} -gt 0 ]; then
    echo "== apt-get install ${need[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian's php-cli carries FFI; elsewhere it may be a package of its own.
if ! php -m | grep -x FFI >/dev/null; then
    echo "php has no FFI extension: install it (e.g. php-ffi) and run again" >&2
    exit 1
fi

echo "== header drift (bindings/c/generate-headers.sh --check)"
bindings/c/generate-headers.sh --check
echo "== README snippets (bindings/check-readme.sh)"
bindings/check-readme.sh
bindings/c/tests/run.sh
bindings/php/tests/run.sh
echo "== binding tests passed"
