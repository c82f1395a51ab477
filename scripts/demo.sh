#!/usr/bin/env bash
# The main job, end to end on this machine: build pgo-go, profile the example
# program for real (go test -cpuprofile), build it with that profile, and show
# what pgo-go reads back from the binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
pgo=$("$root/scripts/build.sh" | tail -1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cp -r "$root/examples/quickstart/." "$work/"
cd "$work"
export GOTOOLCHAIN=local GOFLAGS=

echo "== profiling the example (go test -bench -cpuprofile)"
go test -run '^$' -bench . -benchtime=1s -cpuprofile default.pgo . | grep Benchmark
echo "== building it with the profile"
go build -pgo="$work/default.pgo" -o quickstart .
echo "== pgo-go version -m quickstart"
"$pgo" version -m quickstart
echo "== pgo-go verify --profile default.pgo quickstart"
"$pgo" verify --profile default.pgo quickstart
