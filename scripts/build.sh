#!/usr/bin/env bash
# Configures and builds pgo-go (release) into BUILD_DIR (default ./build);
# prints the path of the binary on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target pgo-go >/dev/null
echo "$build/wrapper/pgo-go"
