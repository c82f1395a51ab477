#!/usr/bin/env bash
# Installs what the tests need, then builds and runs every test: unit tests,
# the integration suites against the real Go toolchain (all under
# AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors), and a
# short run of every fuzz target.
#
# Environment: BUILD_DIR (default ./build-test), FUZZ_SECONDS (default 20;
# 0 skips fuzzing), CTEST_ARGS (extra ctest arguments, e.g. "-R suite.version").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-test}
fuzz_secs=${FUZZ_SECONDS:-20}
"$root/scripts/install-deps.sh"

export GOTOOLCHAIN=local GOFLAGS=
# The Go modules the suites build (test server, workload, example) come from
# the module proxy once; the suites themselves run with GOPROXY=off.
for mod in tests/pyroserver tests/workload examples/rideshare; do
  (cd "$root/$mod" && go mod download)
done
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DPGO_GO_WERROR=ON -DPGO_GO_SANITIZE=ON >/dev/null
cmake --build "$build"
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure ${CTEST_ARGS:-} | tee "$build/ctest.log"
ctest_passed=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$build/ctest.log")
fuzz_passed=0

if [[ $fuzz_secs != 0 ]]; then
  fuzz_build=$build-fuzz
  CC=clang cmake -S "$root" -B "$fuzz_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPGO_GO_FUZZ=ON -DPGO_GO_WERROR=ON >/dev/null
  cmake --build "$fuzz_build" --target fuzz_buildinfo fuzz_modinfo fuzz_pprof fuzz_archive \
    fuzz_connect_error fuzz_config fuzz_gocmd fuzz_window
  "$root/tests/fuzz/run.sh" "$fuzz_build" "$fuzz_secs" "$build/fixtures" | tee "$build/fuzz.log"
  fuzz_passed=$(grep -c 'stat::number_of_executed_units' "$build/fuzz.log" || true)
fi
# One closing line for everything that ran: ctest entries and fuzz targets.
echo "all: $((${ctest_passed:-0} + fuzz_passed)) passed, 0 failed"
