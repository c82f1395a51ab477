#!/usr/bin/env bash
# The go-pgo reduction of a large raw profile: `pgo-go fetch --from BIG`
# (decode, validate, reduce, canonical encoding, into the cache and out to a
# file) against the same reduction written in Go with
# github.com/google/pprof/profile (bench/pprofreduce: parse, keep the first 5
# locations, zero the leaf line, drop labels, merge, write gzipped).
#
# The profile is generated with tests/unit/data/pprof/pprofref (`gen`):
# NSAMPLES (default 800000) distinct stacks over NFUNCS (20000) functions,
# about 56 MB of uncompressed protobuf. Each side runs RUNS (default 3)
# times with the profile in the page cache, pgo-go on a cold cache each
# time; wall time and peak memory come from /usr/bin/time -f '%e %M', and
# the medians are reported with their ratios (Go over pgo-go: above 1 means
# pgo-go is faster or smaller). The issue's goal: faster than the Go
# library, and at most a third of its memory.
#
#   bench/fetch.sh [PGO_GO_BINARY]     (BENCH_DIR: where the profile goes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgo=$(realpath "${1:-$("$root/scripts/build.sh" | tail -1)}")
runs=${RUNS:-3}
nsamples=${NSAMPLES:-800000}
nfuncs=${NFUNCS:-20000}
[[ -x /usr/bin/time ]] || { echo "bench/fetch.sh: /usr/bin/time is needed (Debian: time)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/pgo-go-bench-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

GOFLAGS= go build -C "$root/tests/unit/data/pprof/pprofref" -o "$work/pprofref" .
GOFLAGS= go build -C "$root/bench/pprofreduce" -o "$work/pprofreduce" .
"$work/pprofref" gen "$work/big.pprof" "$nsamples" "$nfuncs"
size=$(stat -c %s "$work/big.pprof")
echo "profile: $nsamples samples, $nfuncs functions, $((size / 1000000)) MB raw"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure LABEL CMD…: prints and sets $SECS and $KB (medians over the runs).
measure() {
  local label=$1 i secs=() kbs=()
  shift
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/cache"
    XDG_CACHE_HOME=$work/cache /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null
    read -r s k <"$work/time.txt"
    secs+=("$s")
    kbs+=("$k")
  done
  SECS=$(printf '%s\n' "${secs[@]}" | median)
  KB=$(printf '%s\n' "${kbs[@]}" | median)
  printf '%-32s %7.2f s  %8.1f MB peak\n' "$label" "$SECS" "$(echo "$KB / 1024" | bc -l)"
}

cd "$work"
measure "pgo-go fetch --from" "$pgo" fetch --from big.pprof -o out.pgo
p_secs=$SECS p_kb=$KB
measure "Go (google/pprof/profile)" ./pprofreduce big.pprof out-go.pgo
g_secs=$SECS g_kb=$KB
# Both reductions must agree, or the comparison means nothing.
"$work/pprofref" info out.pgo | sed 's/ types=.*//' >info-c.txt
"$work/pprofref" info out-go.pgo | sed 's/ types=.*//' >info-go.txt
cmp -s info-c.txt info-go.txt || { echo "the two reductions differ:"; cat info-c.txt info-go.txt; exit 1; }
echo "both: $(cat info-c.txt)"
awk -v ps="$p_secs" -v pk="$p_kb" -v gs="$g_secs" -v gk="$g_kb" 'BEGIN {
  printf "ratio Go / pgo-go: time %.2fx, peak memory %.2fx (goal: > 1x and >= 3x)\n", gs / ps, gk / pk }'
