# The start every shim bench shares (sourced): the pgo-go to measure ($1,
# else scripts/build.sh's), hyperfine, the real go, a work directory with
# a `go` shim linked to pgo-go in $work/shim, and a cleanup on exit that
# stops the server a bench started (its pid in bench_pid) and removes it all.
# shellcheck shell=bash
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgo=$(realpath "${1:-$("$root/scripts/build.sh" | tail -1)}")
command -v hyperfine >/dev/null || "$root/scripts/install-deps.sh"
export GOTOOLCHAIN=local GOFLAGS=
real=$(go env GOROOT)/bin/go
work=$(mktemp -d)
bench_pid=""
bench_cleanup() {
  [[ -z $bench_pid ]] || kill "$bench_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap bench_cleanup EXIT
mkdir -p "$work/shim"
ln -s "$pgo" "$work/shim/go"
