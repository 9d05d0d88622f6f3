#!/usr/bin/env bash
# Builds the Python package and runs its tests: pytest (API, errors, frames, threads,
# pickling, docstring examples, the walk-through in examples/) and mypy stubtest.
#
# Non-interactive and repeatable on a clean machine with Rust and Python >= 3.10:
#   bindings/python/run-tests.sh
# Environment: PYTHON (default python3), VENV (default bindings/python/.venv, gitignored),
# CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
venv="${VENV:-$here/.venv}"

# Debian and Ubuntu ship Python's venv/ensurepip (and sometimes Python) as separate
# packages: install them when missing, as bindings/run-tests.sh does for php-cli.
if ! command -v "$python" >/dev/null || ! "$python" -c "import ensurepip, venv" 2>/dev/null; then
    echo "run-tests: apt-get install python3 python3-venv"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "run-tests: creating $venv"
    "$python" -m venv "$venv"
fi
py="$venv/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet "maturin>=1.7,<2" pytest pandas pyarrow mypy typing_extensions

echo "run-tests: pip install ./bindings/python (release build)"
"$py" -m pip install --quiet --force-reinstall --no-deps "$repo/bindings/python"

# Run from outside the source tree, so that the installed package is what is tested.
cd "$repo"
set +e
"$py" -m pytest -q -p no:cacheprovider "$here/tests"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "run-tests: pytest collected no tests: that is a failure" >&2
    exit 1
elif [ "$rc" -ne 0 ]; then
    exit "$rc"
fi

echo "run-tests: mypy stubtest"
(cd "$venv" && "$py" -m mypy.stubtest mikiwame --allowlist "$here/stubtest-allowlist.txt")
echo "run-tests: ok"
