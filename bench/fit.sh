#!/usr/bin/env bash
# The profile fit (issue 11) of a large binary, the toolchain's own compile,
# against real CPU profiles of it, compared with `go tool preprofile` on the
# same profile (the compiler's first step with any -pgo build):
#   1. $GOROOT/src/cmd/compile/default.pgo, the profile the Go team builds
#      compile with;
#   2. a fresh profile of compile compiling cmd/compile/internal/ssa
#      (-gcflags=-cpuprofile).
# The fit (tests/tools/fit_tool: read compile's function table, decode the
# profile, build its call edges, join them) must cost less than
# preprofile. Prints hyperfine's tables, then for each profile the means
# (wall and CPU) and the ratio preprofile/fit, against `go tool preprofile`
# and against the preprofile binary run directly (no go command in front).
#
#   bench/fit.sh [FIT_TOOL]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export GOTOOLCHAIN=local GOFLAGS=
fit=$(realpath "${1:-$("$root/bench/fit_tool.sh" | tail -1)}")
command -v hyperfine >/dev/null || "$root/scripts/install-deps.sh"
tooldir=$(go env GOTOOLDIR)
compile=$tooldir/compile
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cp "$(go env GOROOT)/src/cmd/compile/default.pgo" "$out/default.pgo"
echo "profiling compile on cmd/compile/internal/ssa ..."
go build -gcflags="cmd/compile/internal/ssa=-cpuprofile=$out/ssa.pprof" -o /dev/null \
  cmd/compile/internal/ssa

run() { # name profile
  local p=$2
  # The edges must be the compiler's before the timing means anything.
  go tool preprofile -i "$p" -o "$out/$1.pre"
  cmp "$out/$1.pre" <("$fit" --edges "$p")
  echo "== $1: $(du -h "$p" | cut -f1) profile; $("$fit" "$compile" "$p" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])')"
  hyperfine -N --warmup 3 --min-runs 30 --export-json "$out/$1.json" \
    -n fit "$fit $compile $p" \
    -n "go tool preprofile" "go tool preprofile -i $p -o $out/x.pre" \
    -n preprofile "$tooldir/preprofile -i $p -o $out/x.pre"
  python3 - "$out/$1.json" "$1" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
def cpu(x): return x["user"] + x["system"]
f = r["fit"]
for name in ("go tool preprofile", "preprofile"):
    g = r[name]
    print(f"{sys.argv[2]}: fit {f['mean']*1e3:.1f} ms (cpu {cpu(f)*1e3:.1f}), "
          f"{name} {g['mean']*1e3:.1f} ms (cpu {cpu(g)*1e3:.1f}): "
          f"{name}/fit {g['mean']/f['mean']:.2f}x wall, {cpu(g)/cpu(f):.2f}x cpu")
PY
}
run default.pgo "$out/default.pgo"
run ssa.pprof "$out/ssa.pprof"
