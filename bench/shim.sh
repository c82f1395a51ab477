#!/usr/bin/env bash
# What the shim costs on each of its paths, as a ratio against the real go
# doing the same work in the same run (bench/alternate.py: the two run in
# turn, medians of wall time; CPU is user+system, mean). One row per path:
#
#   pass-through      go version, go env GOROOT; and, for scale, the cost of
#                     one extra exec of a small C program (env go version)
#   profile           no-op rebuild, PGO_GO_PROFILE, vs go build -pgo=<file>
#   pyroscope         no-op rebuild, Pyroscope source, warm cache, vs
#                     go build -pgo=<the cached file>
#   two services      go build -o bin/ ./cmd/... with two services (two go
#                     runs) vs the same with one -pgo (one go run)
#   cold fetch        a build whose profile is not cached (the suite's
#                     server on loopback), vs the warm no-op build
#   N commands        go build -o bin/ ./cmd/... of N main packages with
#                     PGO_GO_PROFILE, N = 1, 10, 150
#
#   bench/shim.sh [PGO_GO_BINARY]     (RUNS: runs per command, default 15)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${RUNS:-15}

shim=$work/shim/go
export XDG_CACHE_HOME=$work/xdg-cache

# The profile: a real one, of the quickstart's benchmark.
cp -r "$root/examples/quickstart/." "$work/app/"
(cd "$work/app" && "$real" test -run '^$' -bench . -benchtime=300ms -cpuprofile "$work/cpu.pprof" . >/dev/null)
"$pgo" fetch --from "$work/cpu.pprof" --keep-locations 3 -o "$work/other.pgo" >/dev/null

# compare NAME SHIM_CMD REAL_CMD: prints one row (bench/alternate.py).
compare() {
  python3 "$root/bench/alternate.py" "$1" "$runs" "$3" "$2"
}

# module DIR N: a module of N main packages sharing a library.
module() {
  local d=$1 n=$2 i
  mkdir -p "$d/lib"
  printf 'module example.com/bench\n\ngo 1.26\n' >"$d/go.mod"
  printf 'package lib\n\nfunc F(x int) int { return x * 2 }\n' >"$d/lib/lib.go"
  for ((i = 0; i < n; i++)); do
    mkdir -p "$d/cmd/c$i"
    printf 'package main\n\nimport "example.com/bench/lib"\n\nfunc main() { println(lib.F(%d)) }\n' \
      "$i" >"$d/cmd/c$i/main.go"
  done
}

echo "== pass-through"
compare "env (one extra exec)" "/usr/bin/env $real version" "$real version"
compare "go version" "$shim version" "$real version"
compare "go env GOROOT" "$shim env GOROOT" "$real env GOROOT"

echo "== no-op rebuilds, one command"
cd "$work/app"
"$real" build -pgo="$work/cpu.pprof" -o app . # the build cache holds it
export PGO_GO_PROFILE=$work/cpu.pprof
compare "profile" "$shim build -o app ." "$real build -pgo=$work/cpu.pprof -o app ."
unset PGO_GO_PROFILE

# The suite's server, fed the profile; the shim warms its cache once.
(cd "$root/tests/pyroserver" && "$real" build -o "$work/pyroserver" .)
"$work/pyroserver" -addr 127.0.0.1:0 -addr-file "$work/addr" >"$work/server.log" 2>&1 &
bench_pid=$!
for _ in $(seq 50); do [[ -s $work/addr ]] && break; sleep 0.1; done
url=http://$(cat "$work/addr")
now=$(date +%s)
curl -sf -XPOST --data-binary "@$work/cpu.pprof" \
  "$url/ingest?name=quickstart&format=pprof&from=$((now - 7200))&until=$((now - 60))" >/dev/null
export PGO_GO_URL=$url PGO_GO_SERVICE=quickstart PGO_GO_CACHE_DIR=$work/pyro-cache
"$shim" build -o app .
cached=$(ls "$work"/pyro-cache/profiles/*.pgo)
"$real" build -pgo="$cached" -o app .
compare "pyroscope, warm cache" "$shim build -o app ." "$real build -pgo=$cached -o app ."
hyperfine -N --runs "$runs" --prepare "rm -rf $work/pyro-cache" \
  --export-json "$work/cold.json" -n cold "$shim build -o app ." >/dev/null
python3 - "$work/cold.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{'cold fetch (server on lo)':<28} shim {r['median']*1e3:8.2f} ms  (the profile fetched, "
      f"reduced, validated and stored; the build itself is a no-op)")
PY
unset PGO_GO_URL PGO_GO_SERVICE PGO_GO_CACHE_DIR

echo "== several commands"
module "$work/m2" 2
cd "$work/m2"
printf '[pgo-go]\nprofile_dir = %s\n[services]\n./cmd/c0 = a\n./cmd/c1 = b\n' "$work/p2" >.pgo-go.ini
mkdir -p "$work/p2" && cp "$work/cpu.pprof" "$work/p2/a.pgo" && cp "$work/other.pgo" "$work/p2/b.pgo"
# The two build different binaries: each writes its own, or every run in
# turn would relink what the other wrote.
"$shim" build -o bin/ ./cmd/...
"$real" build -pgo="$work/cpu.pprof" -o bin-real/ ./cmd/...
compare "two services" "$shim build -o bin/ ./cmd/..." "$real build -pgo=$work/cpu.pprof -o bin-real/ ./cmd/..."
export PGO_GO_PROFILE=$work/cpu.pprof
for n in 1 10 150; do
  module "$work/m$n-" "$n"
  cd "$work/m$n-"
  "$real" build -pgo="$work/cpu.pprof" -o bin/ ./cmd/...
  compare "$n commands" "$shim build -o bin/ ./cmd/..." "$real build -pgo=$work/cpu.pprof -o bin/ ./cmd/..."
done
