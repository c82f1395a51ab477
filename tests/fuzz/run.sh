#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 30) with its seed
# corpus: tests/fuzz/corpus/<target>/ plus, for the reader, the fixture
# binaries when a fixture directory is given. Findings land in
# FUZZ_OUT/<target>/ (default build-fuzz/findings) and fail the run.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [FIXTURES_DIR]
#
# FUZZ_TARGETS="fuzz_a fuzz_b" runs only those targets. FUZZ_KEEP=DIR keeps
# the corpus each target grows in DIR/<target>/ (and starts from it next
# time), for long runs spread over several sittings.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [FIXTURES_DIR]}
secs=${2:-30}
fixtures=${3:-}
out=${FUZZ_OUT:-$build/findings}
status=0

all_targets="fuzz_buildinfo fuzz_modinfo fuzz_pprof fuzz_archive fuzz_connect_error fuzz_config"
all_targets+=" fuzz_gocmd fuzz_window fuzz_pclntab fuzz_records"
for target in ${FUZZ_TARGETS:-$all_targets}; do
  bin=$build/tests/fuzz/$target
  if [[ -n ${FUZZ_KEEP:-} ]]; then
    work=$FUZZ_KEEP/$target
    mkdir -p "$work"
  else
    work=$(mktemp -d)
  fi
  seeds=("$here/corpus/$target")
  if [[ $target == fuzz_buildinfo && -n $fixtures && -d $fixtures ]]; then
    seeds+=("$fixtures/bad" "$fixtures/old")
  fi
  existing=()
  for s in "${seeds[@]}"; do [[ -d $s ]] && existing+=("$s"); done
  mkdir -p "$out/$target"
  echo "fuzz: $target for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=1048576 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$out/$target/" "$work" "${existing[@]}" \
      >"$out/$target.log" 2>&1; then
    echo "fuzz: $target FOUND A CRASH; see $out/$target.log and $out/$target/" >&2
    tail -30 "$out/$target.log" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$out/$target.log" | sed "s/^/fuzz: $target /"
  fi
  [[ -n ${FUZZ_KEEP:-} ]] || rm -rf "$work"
done
exit $status
