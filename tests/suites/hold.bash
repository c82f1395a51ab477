# The hold (issue 15): a newer snapshot is taken only when it changes the
# compiler's decisions by more than the tolerance, and the choice is the
# server's data's alone: a cold cache and a warm one, asked at the same
# time, get the same profile. Against the test server, on a fixed clock
# two days back (D, a midnight UTC: the default 24h hold starts there),
# with real profiles: the fixture's benchmark (P1) and the quickstart's
# (P2, another program).

SUITE_hold_PROBE() {
  command -v curl >/dev/null || echo "no curl (the suite drives the test server with it)"
}

# shellcheck source=tests/pyroserver.bash
source "$TESTS_DIR/pyroserver.bash"

D=0
FIT_TOOL=""
P1=""
P1B=""
P2=""

SUITE_hold_SETUP() {
  build_pyroserver "$SUITE_TMP/bin" || { echo "cannot build the test server"; exit 1; }
  trap stop_servers EXIT
  start_server plain || exit 1
  local now
  now=$(date +%s)
  D=$(((now / 86400 - 2) * 86400))
  FIT_TOOL=${PGO_GO_FIT_TOOL:-}
  P1=$FIXTURES/cpu.pprof
  P2=$SUITE_TMP/quickstart.pprof
  cp -R "$PGO_GO_SRC/examples/quickstart" "$SUITE_TMP/quickstart"
  (cd "$SUITE_TMP/quickstart" && "$REAL_GO" test -run '^$' -bench . -benchtime 300ms \
    -cpuprofile "$P2" -o "$SUITE_TMP/qs.test" . >/dev/null) || { echo "cannot profile the quickstart"; exit 1; }
  # put SERVICE PROFILE HOUR…: PROFILE's samples in the window ending at
  # D + HOUR hours, for each HOUR.
  put() {
    local svc=$1 file=$2 h
    shift 2
    for h in "$@"; do
      ingest "$URL_plain" "$svc" $((D + (h - 1) * 3600 + 60)) "$file" || { echo "cannot ingest"; exit 1; }
    done
  }
  # P1 again, another run of the same benchmark (for the comparison with
  # the oracle: its change from P1 depends on the run).
  P1B=$SUITE_TMP/fixture-again.pprof
  cp -R "$FIXTURES/src" "$SUITE_TMP/fixture-src"
  (cd "$SUITE_TMP/fixture-src/app" && "$REAL_GO" test -run '^$' -bench . -benchtime 200ms -count 1 \
    -cpuprofile "$P1B" -o "$SUITE_TMP/app.test" . >/dev/null) || { echo "cannot profile the fixture"; exit 1; }
  put same "$P1" 0 1 2 3 24
  put change "$P1" 0 1
  put change "$P2" 2 3
  put new "$P1" 20
}

# fetch_at HOURS[:MINUTES] SERVICE ARGS…: pgo-go fetch of SERVICE at D +
# that time, the hold at its default, with the test's cache, counting the
# server's queries into $QUERIES.
fetch_at() {
  local t=$1 svc=$2 h m
  shift 2
  h=${t%%:*}
  m=5
  [[ $t == *:* ]] && m=${t#*:}
  ctl "$URL_plain" POST reset
  PGO_GO_TEST_NOW=$((D + h * 3600 + m * 60)) PGO_GO_CACHE_DIR=${CACHE:-$TEST_DIR/cache} \
    run env -u PGO_GO_HOLD "$PGO_GO_BIN" fetch --url "$URL_plain" --service "$svc" "$@"
  expect_no_crash
  QUERIES=$(requests "$URL_plain" SelectMergeProfile)
}

# day HOUR: the window ending at D + HOUR hours as pgo-go prints it.
win() {
  local s=$((D + ($1 - 1) * 3600)) e=$((D + $1 * 3600))
  if [[ $(date -u -d "@$s" +%F) == "$(date -u -d "@$e" +%F)" ]]; then
    date -u -d "@$s" "+%F %H:00-$(date -u -d "@$e" +%H:00) UTC"
  else
    echo "$(date -u -d "@$s" "+%F %H:00")-$(date -u -d "@$e" "+%F %H:00") UTC"
  fi
}

SUITE_hold() {
  TEST "newer snapshots that change nothing are not taken; a warm cache asks nothing"
  fetch_at 3 same -o held.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "same, window $(win 0), "
  expect_contains "$RUN_OUT" ", held: the newest changes 0.0% of the decisions"
  # the chain from D: the snapshots of 00:00, 01:00, 02:00 and 03:00
  expect_equal "$QUERIES" 4 "queries on a cold cache"
  fetch_at 3:50 same -o again.pgo
  expect_exit 0
  expect_equal "$QUERIES" 0 "queries on a warm cache"
  expect_equal_content held.pgo again.pgo
  # offline: the hold's choice, recorded for this window
  fetch_at 3:40 same --offline -o offline.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" ", held: "
  expect_equal_content held.pgo offline.pgo
  # the newest, when asked: --force, or no hold
  fetch_at 3 same --force -o newest.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "same, window $(win 3), "
  expect_not_contains "$RUN_OUT" "held"
  fetch_at 3 same --hold 0 -o nohold.pgo
  expect_contains "$RUN_OUT" "same, window $(win 3), "
  expect_equal_content newest.pgo nohold.pgo
  expect_equal "$(cmp -s held.pgo newest.pgo && echo same)" "" "held and newest profiles differ"

  TEST "a change is taken in the first window it shows, then held"
  PGO_GO_VERBOSE=1 fetch_at 2 change -o at2.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "change, window $(win 2), "
  expect_line "$RUN_ERR" "^pgo-go: change: taking the newer snapshot \($(win 2)\): it changes [0-9]+\.[0-9]% of the compiler's decisions, more than 5\.0%; e\.g\. .* now hot\)$"
  PGO_GO_VERBOSE=1 fetch_at 3 change -o at3.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "change, window $(win 2), "
  expect_line "$RUN_ERR" "^pgo-go: change: the newer snapshot \($(win 3)\) is not taken: it changes 0\.0% of the compiler's decisions, at most 5\.0% keeps the profile of $(win 2) \(until $(date -u -d "@$((D + 86400))" "+%F %H:%M") UTC at the latest\)$"
  expect_equal_content at2.pgo at3.pgo

  TEST "the change agrees with an independent computation from go tool preprofile's edges"
  [[ -x $FIT_TOOL ]] || test_failed "no fit tool (PGO_GO_FIT_TOOL): it prints the change"
  local p q pair
  run "$PGO_GO_BIN" fetch --from "$P1" --from "$P2" -o merged.pgo
  expect_exit 0
  for p in "$P1" "$P1B" "$P2" merged.pgo "$REAL_GOROOT/src/cmd/compile/default.pgo"; do
    "$REAL_GO" tool preprofile -i "$p" -o "$(basename "$p").pre" || test_failed "preprofile $p"
  done
  for pair in "$P1 $P2" "$P2 $P1" "$P1 $P1B" "$P1 merged.pgo" "merged.pgo $P2" \
    "$REAL_GOROOT/src/cmd/compile/default.pgo $P2" "$P2 $REAL_GOROOT/src/cmd/compile/default.pgo"; do
    read -r p q <<<"$pair"
    run "$FIT_TOOL" --decide "$p" "$q"
    expect_exit 0
    expect_equal "$(cut -f1 "$RUN_OUT")" "$(python3 "$PGO_GO_SRC/tests/tools/decide-oracle.py" \
      "$(basename "$p").pre" "$(basename "$q").pre")" "the change from $(basename "$p") to $(basename "$q")"
  done
  run "$FIT_TOOL" --decide "$P1" "$P2"
  expect_equal "$(awk -F'\t' '{print ($1 > 0.05)}' "$RUN_OUT")" 1 "another program's profile: more than the default tolerance"

  TEST "a cold machine and a warm one choose the same profile"
  # the laptop built at 01:05 and 03:05; the CI runner's cache is empty
  CACHE=$TEST_DIR/laptop fetch_at 1 change -o laptop1.pgo
  expect_contains "$RUN_OUT" "change, window $(win 0), "
  CACHE=$TEST_DIR/laptop fetch_at 3 change -o laptop3.pgo
  CACHE=$TEST_DIR/runner fetch_at 3 change -o runner3.pgo
  expect_equal "$QUERIES" 4 "the runner's queries"
  expect_equal_content laptop3.pgo runner3.pgo
  expect_contains "$RUN_OUT" "change, window $(win 2), "
  # the laptop walked on from its record of 01:00: two snapshots more
  CACHE=$TEST_DIR/laptop2 fetch_at 1 change -o scratch.pgo
  CACHE=$TEST_DIR/laptop2 fetch_at 3 change -o scratch.pgo
  expect_equal "$QUERIES" 2 "the laptop's queries after 01:05"

  TEST "the hold starts again at its next multiple: the newest is taken"
  fetch_at 3 same -o scratch.pgo
  fetch_at 24 same -o day2.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "same, window $(win 24), "
  expect_not_contains "$RUN_OUT" "held"
  expect_equal "$QUERIES" 1 "queries for the new day's first snapshot"
  # a 6h hold starts at 00:00, 06:00, …: at 03:05 it still holds 00:00's
  fetch_at 3 same --hold 6h -o scratch.pgo
  expect_contains "$RUN_OUT" "same, window $(win 0), "

  TEST "a service that started in the newest window asks once, not once a window"
  fetch_at 20 new -o new.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "new, window $(win 20), "
  expect_not_contains "$RUN_OUT" "held"
  # 00:00 (its window and the day before it), 01:00-19:00 at once, 20:00
  expect_equal "$QUERIES" 4 "queries"

  TEST "a hold of more windows than a chain may take is refused, naming both settings"
  PGO_GO_WINDOW=1m PGO_GO_HOLD=7d PGO_GO_TEST_NOW=$((D + 3600)) \
    run "$PGO_GO_BIN" fetch --url "$URL_plain" --service same -o x.pgo
  expect_exit 1
  expect_stderr "pgo-go: a hold of 7d over windows of 1m takes up to 10080 snapshots on a cold cache, more than 168: lower PGO_GO_HOLD or raise PGO_GO_WINDOW"
  expect_file_missing x.pgo

  TEST "the shim: a build in a later window uses the held profile, and says so"
  mkdir -p app shim
  ln -sf "$PGO_GO_BIN" shim/go
  printf 'module example.com/same\n\ngo 1.26\n' >app/go.mod
  printf 'package main\n\nfunc main() { println("hi") }\n' >app/main.go
  cd app || return
  local t
  for t in 1 3; do
    PGO_GO_TEST_NOW=$((D + t * 3600 + 300)) PGO_GO_URL=$URL_plain PGO_GO_SERVICE=same \
      PGO_GO_CACHE_DIR=$TEST_DIR/shimcache PGO_GO_VERBOSE=1 \
      run env -u PGO_GO_HOLD PATH="$TEST_DIR/shim:$PATH" go build -o "../bin$t" .
    expect_exit 0
    expect_line "$RUN_ERR" "^pgo-go: .*: service same, profile .*/profiles/[0-9a-f]{64}\.pgo \(pyroscope: (fetched|cached), window .*, held \(the newest changes 0\.0% of the decisions\)\), verified$"
  done
  cd .. || return
  expect_equal "$("$REAL_GO" version -m bin1 | grep -- -pgo=)" "$("$REAL_GO" version -m bin3 | grep -- -pgo=)" "the -pgo of both builds"
}
