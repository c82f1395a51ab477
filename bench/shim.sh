#!/usr/bin/env bash
# What the shim costs, measured against the real go with hyperfine:
#   1. pass-through: `go version` and `go env GOROOT` through the shim vs direct
#   2. a no-op rebuild with a profile: `go build` through the shim (which adds
#      -pgo, runs go, and verifies the binary) vs `go build -pgo=<same file>`
# Prints hyperfine's tables and, for each, the shim's time as a ratio of the
# real go's and the absolute difference.
#
#   bench/shim.sh [PGO_GO_BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgo=$(realpath "${1:-$("$root/scripts/build.sh" | tail -1)}")
command -v hyperfine >/dev/null || "$root/scripts/install-deps.sh"
real=$(go env GOROOT)/bin/go
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local GOFLAGS=

mkdir -p "$work/shim"
ln -s "$pgo" "$work/shim/go"
cp -r "$root/examples/quickstart/." "$work/app/"
cd "$work/app"
"$real" test -run '^$' -bench . -benchtime=300ms -cpuprofile "$work/cpu.pprof" . >/dev/null
"$real" build -pgo="$work/cpu.pprof" -o app . # warm the build cache

compare() { # name, shim command, real command
  local name=$1
  hyperfine -N --warmup 5 --min-runs "${RUNS:-30}" --export-json "$work/$name.json" \
    -n "real go" "$3" -n "shim" "$2" >"$work/$name.txt"
  cat "$work/$name.txt"
  python3 - "$work/$name.json" "$name" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
g, s = r["real go"], r["shim"]
print(f"{sys.argv[2]}: real {g['mean']*1e3:.2f} ms ± {g['stddev']*1e3:.2f}, "
      f"shim {s['mean']*1e3:.2f} ms ± {s['stddev']*1e3:.2f}, "
      f"ratio {s['mean']/g['mean']:.3f}, added {(s['mean']-g['mean'])*1e3:+.2f} ms")
PY
}

echo "== pass-through"
compare version "$work/shim/go version" "$real version"
compare env "$work/shim/go env GOROOT" "$real env GOROOT"
echo "== no-op rebuild with a profile"
# Exported for both commands (the real go ignores it), so neither pays for
# an extra `env` process.
export PGO_GO_PROFILE=$work/cpu.pprof
compare rebuild "$work/shim/go build -o app ." "$real build -pgo=$work/cpu.pprof -o app ."
