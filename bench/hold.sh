#!/usr/bin/env bash
# The hold (issue 15), over a day of the example service's profiles: how
# often the profile a build gets changes with and without it, what each
# change costs (a full rebuild), and whether the kept profile's PGO gain is
# within noise of the newest's.
#
# The service (examples/rideshare) runs under its load generator, one seed
# and concurrency per hour (a day's curve, 1 to 8 clients); at noon a new
# version is deployed (its hottest own function renamed: a change the
# compiler's decisions must follow). Each hour's profile (net/http/pprof,
# PROFILE_SECONDS) goes into that hour's window of the test server
# (tests/pyroserver) on a day two days back. Then `pgo-go fetch` is asked
# at five past every hour, once per hold setting, each with a cache of its
# own, and the profiles it gives are compared.
#
#   bench/hold.sh [PGO_GO_BINARY [FIT_TOOL]]
#
# HOURS (default 24), PROFILE_SECONDS (default 15), BENCH_ROUNDS (default
# 8: alternated runs of each benchmark binary).
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
fit=$(realpath "${2:-$("$root/bench/fit_tool.sh" | tail -1)}")
hours=${HOURS:-24}
secs=${PROFILE_SECONDS:-15}
rounds=${BENCH_ROUNDS:-8}
export GOFLAGS=-mod=mod GOPROXY=off
src=$root/examples/rideshare
svc_pid=""
stop_service() { [[ -z $svc_pid ]] || kill "$svc_pid" 2>/dev/null || true; }
trap 'stop_service; bench_cleanup' EXIT

"$real" build -C "$src" -pgo=off -o "$work/rideshare-v1" ./cmd/rideshare
# Version 2: dispatch's scan.cell, the hottest own function, renamed.
cp -R "$src" "$work/src-v2"
sed -i 's/\bcell(/visitCell(/g' "$work/src-v2/internal/dispatch/dispatch.go"
"$real" build -C "$work/src-v2" -pgo=off -o "$work/rideshare-v2" ./cmd/rideshare
"$real" build -C "$src" -o "$work/loadgen" ./cmd/loadgen
"$real" build -C "$root/tests/pyroserver" -o "$work/pyroserver" .
"$work/pyroserver" -addr 127.0.0.1:0 -addr-file "$work/addr" -control >"$work/server.log" 2>&1 &
bench_pid=$!
for _ in $(seq 50); do [[ -s $work/addr ]] && break; sleep 0.1; done
url=http://$(cat "$work/addr")

# ---- a day of profiles
day=$((($(date +%s) / 86400 - 2) * 86400))
curve=(1 1 1 1 1 2 2 4 6 8 8 8 8 8 8 8 6 6 4 4 2 2 1 1)
echo "profiling the service: $hours hours of ${secs}s each, version 2 from hour 12"
for ((h = 0; h < hours; h++)); do
  if ((h == 0 || h == 12)); then
    stop_service
    "$work/rideshare-v$((h < 12 ? 1 : 2))" -addr 127.0.0.1:18193 >"$work/service.log" 2>&1 &
    svc_pid=$!
  fi
  "$work/loadgen" -target http://127.0.0.1:18193 -duration "$((secs + 3))s" \
    -concurrency "${curve[h % 24]}" -seed "$((h + 1))" >"$work/loadgen.log" 2>&1 &
  sleep 1
  curl -fsS -o "$work/h$h.pprof" "http://127.0.0.1:18193/debug/pprof/profile?seconds=$secs"
  wait $!
  curl -fsS --data-binary "@$work/h$h.pprof" \
    "$url/ingest?format=pprof&name=rideshare&from=$((day + h * 3600 + 60))&until=$((day + h * 3600 + 70))" >/dev/null
done
stop_service

# ---- the profile each hour's build gets
# pick HOLD H: the profile pgo-go fetch gives at D + H hours + 5 minutes.
pick() {
  PGO_GO_TEST_NOW=$((day + $2 * 3600 + 300)) PGO_GO_CACHE_DIR=$work/cache-$1 \
    "$pgo" fetch --url "$url" --service rideshare --hold "$1" -o "$work/pick-$1-$2.pgo" >/dev/null
  sha256sum <"$work/pick-$1-$2.pgo" | cut -c1-64
}
holds=(0 6h 24h)
declare -A switches when
for hold in "${holds[@]}"; do
  prev="" n=0 at=""
  for ((h = 1; h <= hours; h++)); do
    s=$(pick "$hold" "$h")
    if [[ -n $prev && $s != "$prev" ]]; then
      n=$((n + 1))
      at+=" $h"
    fi
    prev=$s
  done
  switches[$hold]=$n
  when[$hold]=$at
done

echo
echo "hour-to-hour change of the newest snapshot (share of the compiler's decisions, fit_tool --decide):"
changes=()
for ((h = 2; h <= hours; h++)); do
  changes+=("$("$fit" --decide "$work/pick-0-$((h - 1)).pgo" "$work/pick-0-$h.pgo" | cut -f1)")
done
echo "  by hour (2..$hours): ${changes[*]}"
printf '%s\n' "${changes[@]}" | python3 -c '
import statistics, sys
v = sorted(float(x) * 100 for x in sys.stdin if x.strip())
if v:
    print(f"  min {v[0]:.1f}%  median {statistics.median(v):.1f}%  max {v[-1]:.1f}%  (n={len(v)})")'
# The last hour before the 24h hold starts again: its profile is the oldest.
last=$((hours < 24 ? hours : 23))
echo "the 24h hold's profile against the newest at hour $last: $("$fit" --decide "$work/pick-24h-$last.pgo" "$work/pick-0-$last.pgo" | cut -f1,3)"

# ---- what a change costs: the service's build after the profile changed
export GOCACHE=$work/gocache
"$real" build -C "$src" -pgo="$work/pick-0-1.pgo" -o "$work/a" ./cmd/rideshare
t0=$(date +%s%N)
"$real" build -C "$src" -pgo="$work/pick-0-1.pgo" -o "$work/a" ./cmd/rideshare
noop_ms=$((($(date +%s%N) - t0) / 1000000))
t0=$(date +%s%N)
"$real" build -C "$src" -pgo="$work/pick-0-2.pgo" -o "$work/b" ./cmd/rideshare
full_ms=$((($(date +%s%N) - t0) / 1000000))

echo
echo "| hold | profile changes in $((hours - 1)) hourly builds | at hours | full rebuilds' time |"
echo "|---|---|---|---|"
for hold in "${holds[@]}"; do
  awk -v h="$hold" -v n="${switches[$hold]}" -v at="${when[$hold]}" -v ms="$full_ms" \
    'BEGIN { printf "| %s | %d |%s | %.1f s |\n", h, n, at, n * ms / 1000 }'
done
echo "a build after the profile changed: $((full_ms)) ms; a no-op rebuild: $noop_ms ms"

# ---- the PGO gain of the kept profile and of the newest
unset GOCACHE
for v in off kept newest; do
  case $v in
    off) p=off ;;
    kept) p=$work/pick-24h-$last.pgo ;;
    newest) p=$work/pick-0-$last.pgo ;;
  esac
  "$real" test -C "$work/src-v2" -c -pgo="$p" -o "$work/api-$v.test" ./internal/api
done
for ((r = 0; r < rounds; r++)); do
  for v in off kept newest; do
    (cd "$work/src-v2/internal/api" && "$work/api-$v.test" -test.run '^$' -test.bench '^BenchmarkApp$' \
      -test.benchtime 1s -test.count 1) | awk -v v="$v" '/^BenchmarkApp/ {print v, $3}' >>"$work/bench.txt"
  done
done
python3 - "$work/bench.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    v, ns = line.split()
    runs.setdefault(v, []).append(float(ns))
off = statistics.median(runs["off"])
print()
print("| build | BenchmarkApp ns/op (median, min-max) | gain over -pgo=off |")
print("|---|---|---|")
for v in ("off", "kept", "newest"):
    r = runs[v]
    m = statistics.median(r)
    print(f"| {v} | {m:.0f} ({min(r):.0f}-{max(r):.0f}) | {100 * (off - m) / off:+.1f}% |")
PY
