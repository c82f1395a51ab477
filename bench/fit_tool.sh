#!/usr/bin/env bash
# Builds the fit's test driver (tests/tools/fit_tool, release) into
# BUILD_DIR (default ./build), as scripts/build.sh builds pgo-go; prints
# its path on the last line. bench/fit.sh and bench/fit-edits.sh use it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/build.sh" >/dev/null
cmake --build "$build" --target fit_tool >/dev/null
echo "$build/tests/fit_tool"
