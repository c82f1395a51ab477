#!/usr/bin/env bash
# End-to-end check of the test server with the real SDK, all on 127.0.0.1:
# start pyroserver, run the workload against it, fetch the go-pgo profile
# over Connect, check that the hot functions lead `go tool pprof -top`, and
# build the workload with -pgo=<that profile>.
#
#   tests/workload/e2e.sh [SECONDS]     (default 15)
set -euo pipefail

secs=${1:-15}
here=$(cd "$(dirname "$0")" && pwd)
server_src=$here/../pyroserver
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$server_src" && go build -o "$work/pyroserver" . && go build -o "$work/pyroquery" ./cmd/pyroquery)
(cd "$here" && go build -o "$work/workload" .)

"$work/pyroserver" -addr 127.0.0.1:0 -addr-file "$work/addr" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do [[ -s $work/addr ]] && break; sleep 0.1; done
addr=$(cat "$work/addr")
echo "server: $addr"

timeout $((secs + 30)) "$work/workload" -server "http://$addr" -app e2e-workload -duration "${secs}s" -tags region=eu
timeout 30 "$work/pyroquery" -url "http://$addr" -query '{service_name="e2e-workload",region="eu"}' \
  -window 10m -keep-locations 5 -aggregate-callees -o "$work/default.pgo"

go tool pprof -top "$work/default.pgo" 2>/dev/null | tee "$work/top.txt" | head -12
# The three hot functions must be the three largest by flat time.
top3=$(awk '/flat%/ {go=1; next} go && NF >= 6 {print $6}' "$work/top.txt" | head -3 | sort | tr '\n' ' ')
if [[ $top3 != "main.hotHashLoop main.hotMatrixLoop main.hotSortLoop " ]]; then
  echo "FAIL: top functions are: $top3" >&2
  exit 1
fi

(cd "$here" && go build -pgo="$work/default.pgo" -o "$work/workload.pgo" .)
go version -m "$work/workload.pgo" | grep -- '-pgo='
echo "PASS: hot functions lead; go build -pgo accepted the profile"
