#!/usr/bin/env bash
# Regenerates bindings/c/include/mikiwame.h and bindings/php/src/mikiwame_php.h with the
# pinned cbindgen (installed with cargo when absent or of another version).
# `--check` regenerates into a temporary directory and fails when the committed headers
# differ (header drift).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(cat "$here/cbindgen-version")"

if ! cbindgen --version 2>/dev/null | grep -qx "cbindgen $version"; then
    echo "installing cbindgen $version" >&2
    cargo install cbindgen --version "$version" --locked >&2
fi

check=0
[ "${1:-}" = "--check" ] && check=1
out="$here/include/mikiwame.h"
out_php="$root/bindings/php/src/mikiwame_php.h"
if [ $check = 1 ]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    out="$tmp/mikiwame.h"
    out_php="$tmp/mikiwame_php.h"
fi
cbindgen --quiet --config "$here/cbindgen.toml" --crate mikiwame-c --output "$out" "$here"
cbindgen --quiet --config "$here/cbindgen-php.toml" --crate mikiwame-c --output "$out_php" "$here"
if [ $check = 1 ]; then
    status=0
    diff -u "$here/include/mikiwame.h" "$out" || status=1
    diff -u "$root/bindings/php/src/mikiwame_php.h" "$out_php" || status=1
    if [ $status != 0 ]; then
        echo "header drift: run bindings/c/generate-headers.sh and commit the headers" >&2
        exit 1
    fi
    echo "headers up to date"
fi
