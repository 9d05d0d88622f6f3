#!/usr/bin/env bash
# Fails when a README code block marked `<!-- verbatim: FILE -->` differs from FILE, so that
# the README's C and PHP snippets are exactly what the tests compile and run.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
files="$(sed -n 's/^<!-- verbatim: \(.*\) -->$/\1/p' README.md)"
[ -n "$files" ] || { echo "README.md has no verbatim blocks" >&2; exit 1; }
for f in $files; do
    block="$(awk -v f="$f" '
        $0 == "<!-- verbatim: " f " -->" { found = 1; next }
        found == 1 && /^```/ { found = 2; next }
        found == 2 && /^```$/ { exit }
        found == 2 { print }' README.md)"
    if [ "$block" != "$(cat "$f")" ]; then
        echo "README.md: the block for $f differs from the file" >&2
        status=1
    fi
done
[ $status = 0 ] && echo "README snippets match $(echo $files | wc -w) files"
exit $status
