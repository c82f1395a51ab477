#!/usr/bin/env bash
# Installs what the tests need, then builds and runs every test: unit tests,
# the integration suites against the real Go toolchain (all under
# AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors), some
# suites again with every pgo-go under valgrind's memcheck (a second build,
# without sanitizers), and a short run of every fuzz target.
#
# Environment: BUILD_DIR (default ./build-test), FUZZ_SECONDS (default 20;
# 0 skips fuzzing), CTEST_ARGS (extra ctest arguments, e.g. "-R suite.version"),
# MEMCHECK_SUITES (the suites run under memcheck; empty skips them).
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
"$root/scripts/benchstat.sh" >/dev/null # the demo's, installed once
# The docker suite makes its base images offline, from a Debian root file
# system and the images' packages, fetched here.
"$root/scripts/docker-base.sh" "$build/docker/base"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DPGO_GO_WERROR=ON -DPGO_GO_SANITIZE=ON >/dev/null
cmake --build "$build"

# The tests talk only to servers they start on loopback. As root they run
# in a network namespace holding nothing but loopback, so a test that
# reached anywhere else (a stray default URL, the module proxy) would fail
# instead of passing quietly here and not on a machine without network.
isolated=()
if [[ $(id -u) == 0 ]] && unshare --net true 2>/dev/null && command -v ip >/dev/null; then
  isolated=(unshare --net sh -c 'ip link set lo up && exec "$@"' isolated)
  echo "network: the tests run in a network namespace with loopback only"
else
  echo "network: the tests run on the host's network (isolating them needs root and unshare)"
fi
# shellcheck disable=SC2086
"${isolated[@]}" ctest --test-dir "$build" --output-on-failure ${CTEST_ARGS:-} | tee "$build/ctest.log"
ctest_passed=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$build/ctest.log")
fuzz_passed=0
memcheck_passed=0

# Memcheck: valgrind cannot run sanitized code, so a plain build of pgo-go
# alone; the suites reuse the fixtures built above. Each pgo-go then costs
# valgrind's start (half a second), so not every suite: demo is a benchmark,
# reliability bounds times, and version (1m40s more on 2 cores) mostly runs
# the code malformed, archive and verify run, on the same fixtures.
# tests/memcheck/skip names the tests left out of the others.
memcheck_suites=${MEMCHECK_SUITES-verify malformed archive shim secrets fetch hold}
if [[ -n $memcheck_suites && ! -f $build/fixtures/.stamp ]]; then
  echo "memcheck: no fixtures in $build/fixtures (ctest did not build them); not run"
  memcheck_suites=""
fi
if [[ -n $memcheck_suites ]]; then
  memcheck_build=$build-memcheck
  cmake -S "$root" -B "$memcheck_build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DPGO_GO_WERROR=ON -DPGO_GO_TESTS=OFF >/dev/null
  cmake --build "$memcheck_build" --target pgo-go
  memcheck_failed=()
  for suite in $memcheck_suites; do
    log=$memcheck_build/memcheck.$suite.log
    t0=$SECONDS
    status=0
    PGO_GO_MEMCHECK=1 PGO_GO_BIN=$memcheck_build/wrapper/pgo-go \
      PGO_GO_FIXTURES=$build/fixtures PGO_GO_SRC=$root \
      "${isolated[@]}" bash "$root/tests/run-suite.bash" "$suite" >"$log" 2>&1 || status=$?
    case $status in
      0) memcheck_passed=$((memcheck_passed + 1)) ;;
      77) ;;
      *)
        cat "$log"
        memcheck_failed+=("$suite")
        ;;
    esac
    printf 'memcheck.%-12s %s; %s (%d s)\n' "$suite" "$(tail -n 1 "$log")" \
      "$(sed -n 's/^memcheck: //p' "$log")" $((SECONDS - t0))
  done
  if ((${#memcheck_failed[@]})); then
    echo "memcheck: failed: ${memcheck_failed[*]} (logs: $memcheck_build/memcheck.SUITE.log)"
    exit 1
  fi
fi

if [[ $fuzz_secs != 0 ]]; then
  fuzz_build=$build-fuzz
  CC=clang cmake -S "$root" -B "$fuzz_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPGO_GO_FUZZ=ON -DPGO_GO_WERROR=ON >/dev/null
  cmake --build "$fuzz_build" --target fuzz_buildinfo fuzz_modinfo fuzz_pprof fuzz_archive \
    fuzz_connect_error fuzz_config fuzz_gocmd fuzz_window fuzz_pclntab fuzz_records
  "$root/tests/fuzz/run.sh" "$fuzz_build" "$fuzz_secs" "$build/fixtures" | tee "$build/fuzz.log"
  fuzz_passed=$(grep -c 'stat::number_of_executed_units' "$build/fuzz.log" || true)
fi
# One closing line for everything that ran: ctest entries, suites under
# memcheck and fuzz targets.
echo "all: $((${ctest_passed:-0} + memcheck_passed + fuzz_passed)) passed, 0 failed"
