#!/usr/bin/env bash
# Prints the path of benchstat (golang.org/x/perf), installing the pinned
# version into .cache/bin first when that is not already there. It is the
# one step of the demo that needs the module proxy, so the tests take it
# before they shut the network out (scripts/test.sh).
#
#   scripts/benchstat.sh        (GO: the go command to use, default go)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v0.0.0-20260908200009-22c9c6c9d4da
bin=$root/.cache/bin/benchstat
go=${GO:-go}
if ! "$go" version -m "$bin" 2>/dev/null | grep -qF "$version"; then
  GOFLAGS='' GOBIN=$root/.cache/bin "$go" install "golang.org/x/perf/cmd/benchstat@$version" >&2
fi
echo "$bin"
