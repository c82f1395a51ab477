#!/usr/bin/env bash
# The main job, end to end, on this machine:
#   1. build pgo-go and put its shim first on PATH;
#   2. start a Pyroscope-compatible server on 127.0.0.1 (tests/pyroserver),
#      unless PGO_GO_URL names one;
#   3. run the example service (examples/rideshare) under load; it sends its
#      CPU profiles to the server with the pyroscope-go SDK;
#   4. build the service through the shim, exactly as a user would:
#      `go build` fetches the newest profile, passes -pgo, verifies the binary;
#   5. show what `pgo-go version -m` reads back;
#   6. benchmark the service's request path without and with the profile
#      and compare with benchstat.
# Everything it starts is stopped when it ends, also on Ctrl-C.
#
# Environment: DEMO_SHORT=1 for a quick run (short load, few benchmark
# runs); DEMO_LOAD (seconds of load, default 40), DEMO_COUNT (benchmark
# repetitions each way, default 10); PGO_GO_URL to use your own server;
# DEMO_PGO_GO to use a pgo-go already built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
load_secs=${DEMO_LOAD:-40}
count=${DEMO_COUNT:-10}
benchtime=${DEMO_BENCHTIME:-1s}
if [[ ${DEMO_SHORT:-0} == 1 ]]; then
  load_secs=${DEMO_LOAD:-15}
  count=${DEMO_COUNT:-3}
  benchtime=${DEMO_BENCHTIME:-200ms}
fi

step() { printf '\n== %s\n' "$*"; }
die() {
  echo "demo: $*" >&2
  exit 1
}

if [[ -n ${DEMO_PGO_GO:-} ]]; then # the test suite passes the pgo-go under test
  pgo=$DEMO_PGO_GO
else
  "$root/scripts/install-deps.sh"
  pgo=$("$root/scripts/build.sh" | tail -1)
fi
real_go=$(GOTOOLCHAIN=local go env GOROOT)/bin/go
export GOTOOLCHAIN=local GOFLAGS=

work=$(mktemp -d "${TMPDIR:-/tmp}/pgo-go-demo.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port: a port on 127.0.0.1 nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for URL: until it answers (at most 30 s).
wait_for() {
  for _ in $(seq 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  die "nothing answers at $1"
}

step "pgo-go $("$pgo" --version | cut -d' ' -f2), shim in $work/shim"
"$pgo" install-shim "$work/shim" >/dev/null
export PATH=$work/shim:$PATH
export XDG_CACHE_HOME=$work/cache # a cold profile cache for the demo

if [[ -z ${PGO_GO_URL:-} ]]; then
  step "starting the local Pyroscope-compatible server (tests/pyroserver)"
  (cd "$root/tests/pyroserver" && "$real_go" build -o "$work/pyroserver" .)
  "$work/pyroserver" -addr 127.0.0.1:0 -addr-file "$work/server.addr" >"$work/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [[ -s $work/server.addr ]] && break; sleep 0.1; done
  [[ -s $work/server.addr ]] || die "the server did not start: $(cat "$work/server.log")"
  PGO_GO_URL=http://$(cat "$work/server.addr")
  export PGO_GO_URL
fi
echo "server: $PGO_GO_URL"

step "running the example service under load for ${load_secs}s (profiled by the pyroscope-go SDK)"
cp -r "$root/examples/rideshare" "$work/rideshare"
cd "$work/rideshare"
"$real_go" build -o "$work/rideshare-noprofile" ./cmd/rideshare
"$real_go" build -o "$work/loadgen" ./cmd/loadgen
port=$(free_port)
"$work/rideshare-noprofile" -addr "127.0.0.1:$port" -pyroscope "$PGO_GO_URL" -upload-rate 5s \
  >"$work/service.log" 2>&1 &
service_pid=$!
pids+=("$service_pid")
wait_for "http://127.0.0.1:$port/healthz"
"$work/loadgen" -target "http://127.0.0.1:$port" -duration "${load_secs}s" -concurrency 2 |
  tail -n 3
kill -TERM "$service_pid" # the SDK uploads what it has on the way out
wait "$service_pid" || true

step "go build ./cmd/rideshare, through the shim"
echo "\$ PGO_GO_VERBOSE=1 go build -o rideshare ./cmd/rideshare"
PGO_GO_VERBOSE=1 PGO_GO_VERIFY=strict go build -o rideshare ./cmd/rideshare 2>&1 | tee "$work/build.log"
profile=$(sed -n 's/^pgo-go: .*profile \(\/[^ ]*\.pgo\) (pyroscope.*verified$/\1/p' "$work/build.log")
[[ -n $profile ]] || die "the build did not use a profile from the server (see above)"

step "pgo-go version -m rideshare"
"$pgo" version -m rideshare
"$pgo" verify --profile "$profile" rideshare

step "benchmark of the request path: -pgo=off vs the fetched profile ($count runs each)"
bench() { # label, -pgo value
  "$real_go" test -run '^$' -bench '^BenchmarkApp$' -benchtime "$benchtime" -count 1 \
    -pgo="$2" ./internal/api | sed -n "s/^BenchmarkApp/BenchmarkApp/p"
}
: >"$work/off.txt"
: >"$work/pgo.txt"
"$real_go" test -c -o /dev/null -pgo="$profile" ./internal/api # compile both once
for _ in $(seq "$count"); do
  # interleaved, so drift on a busy machine hits both sides alike
  bench off off >>"$work/off.txt"
  bench pgo "$profile" >>"$work/pgo.txt"
  printf '.'
done
echo
benchstat=$(GO=$real_go "$root/scripts/benchstat.sh")
(cd "$work" && "$benchstat" off=off.txt pgo=pgo.txt) | tee "$work/benchstat.txt"

step "summary"
snapshot=$(XDG_CACHE_HOME=$work/cache "$pgo" cache list | head -n 1)
# CPU time per request (cpu-sec/op, measured by the benchmark itself) is far
# steadier than wall time on a shared machine.
speed=$(awk '/cpu-sec\/op/ {s=1} s && /^(BenchmarkApp|App)/ {print; exit}' "$work/benchstat.txt")
delta=$(awk '/cpu-sec\/op/ {s=1} s && /^(BenchmarkApp|App)/ {for (i=1;i<=NF;i++) if ($i ~ /%$/ || $i == "~") d=$i; print d; exit}' "$work/benchstat.txt")
echo "service:   ride-sharing-app"
echo "profile:   $profile"
echo "snapshot:  $snapshot"
echo "verified:  yes (rideshare records -pgo=$profile)"
echo "benchmark: $speed"
echo "speedup:   ${delta:-?} CPU time per request with the profile ($count runs each; '~' means no significant difference)"
