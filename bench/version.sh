#!/usr/bin/env bash
# pgo-go version -m against go version -m, with hyperfine:
#   1. the Go installation's pkg/tool/<os_arch> directory (many binaries)
#   2. one large binary (the go command itself)
# Prints hyperfine's tables and the ratio go/pgo-go for each.
#
#   bench/version.sh [PGO_GO_BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgo=$(realpath "${1:-$("$root/scripts/build.sh" | tail -1)}")
command -v hyperfine >/dev/null || "$root/scripts/install-deps.sh"
tooldir=$(go env GOROOT)/pkg/tool/$(go env GOOS)_$(go env GOARCH)
big=$(go env GOROOT)/bin/go
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The outputs must agree before their speed means anything.
cmp <(go version -m "$tooldir") <("$pgo" version -m "$tooldir")

run() { # name, target
  hyperfine -N --warmup 3 --min-runs 20 --export-json "$out/$1.json" \
    -n "go version -m" "go version -m $2" \
    -n "pgo-go version -m" "$pgo version -m $2"
  python3 - "$out/$1.json" "$1" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
g, p = r["go version -m"], r["pgo-go version -m"]
print(f"{sys.argv[2]}: go {g['mean']*1e3:.2f} ms, pgo-go {p['mean']*1e3:.2f} ms, "
      f"ratio {g['mean']/p['mean']:.1f}x")
PY
}
echo "== $tooldir ($(ls "$tooldir" | wc -l) files)"
run tooldir "$tooldir"
echo "== $big ($(du -h "$big" | cut -f1))"
run large "$big"
