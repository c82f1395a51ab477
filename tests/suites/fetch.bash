# `pgo-go fetch` and `pgo-go cache` against the Pyroscope-compatible test
# server (tests/pyroserver), fed by the real pyroscope-go SDK
# (tests/workload). Everything listens on 127.0.0.1 only. Three servers run
# for the whole suite: a plain one, one behind tenant and auth checks, and
# one under a Grafana-style path prefix; each test resets their faults and
# request logs and starts from a cold cache of its own.

SUITE_fetch_PROBE() {
  command -v curl >/dev/null || echo "no curl (the suite drives the test server with it)"
}

# ---------------------------------------------------------------- servers

# shellcheck source=tests/pyroserver.bash
source "$TESTS_DIR/pyroserver.bash"

# fault JSON: the only fault of the plain server from now on.
fault() {
  ctl "$URL_plain" DELETE fault
  ctl "$URL_plain" POST fault "$1" || test_failed "cannot set fault $1"
}

reset_servers() {
  local u
  for u in "$URL_plain" "$URL_auth" "$URL_prefix"; do ctl "$u" POST reset; done
}

# request_log BASE: the SelectMergeProfile requests BASE has seen, as JSON
# without white space.
request_log() {
  curl -sf "$1/control/requests?method=SelectMergeProfile" | tr -d ' \n'
}

SUITE_fetch_SETUP() {
  build_pyroserver "$SUITE_TMP/bin" &&
    (cd "$PGO_GO_SRC/tests/workload" && GOTOOLCHAIN=local GOFLAGS= "$REAL_GO" build -o "$PYRO_BIN/workload" .) ||
    { echo "cannot build the test server and workload"; exit 1; }
  trap stop_servers EXIT
  start_server plain || exit 1
  start_server auth -tenant-required -basic-auth alice:op3n-sesame -bearer tok-s3cr3t-42 || exit 1
  start_server prefix -path-prefix /grafana/api/datasources/proxy/uid/pyro || exit 1

  # Real profiles from the SDK: the workload burns CPU for a few seconds.
  timeout 60 "$PYRO_BIN/workload" -server "$URL_plain" -app pgo-go-workload -duration 7s \
    >"$SUITE_TMP/workload.log" 2>&1 || { echo "workload failed: $(cat "$SUITE_TMP/workload.log")"; exit 1; }

  # The same data again in the last closed hour, as service wl-past: a
  # closed window gives the reproducible snapshots most tests need.
  curl -sf "$URL_plain/debug/pprof/profile?seconds=1&service=pgo-go-workload" -o "$SUITE_TMP/raw.pprof" ||
    { echo "cannot read back the workload's profile"; exit 1; }
  SUITE_NOW=$(date +%s)
  PAST=$((SUITE_NOW - SUITE_NOW % 3600 - 1800))
  ingest "$URL_plain" wl-past "$PAST" "$SUITE_TMP/raw.pprof"
  ingest "$URL_plain" wl-other "$PAST" "$FIXTURES/cpu.pprof"
  ingest "$URL_plain" wl-two "$PAST" "$SUITE_TMP/raw.pprof"
  ingest "$URL_plain" wl-two "$((PAST - 3600))" "$SUITE_TMP/raw.pprof"
  ingest "$URL_auth" wl-past "$PAST" "$SUITE_TMP/raw.pprof" -H 'X-Scope-OrgID: acme' -u alice:op3n-sesame
  ingest "$URL_prefix/grafana/api/datasources/proxy/uid/pyro" wl-past "$PAST" "$SUITE_TMP/raw.pprof"

  # The answer every fault test that ends well must reproduce, byte for byte.
  XDG_CACHE_HOME=$SUITE_TMP/baseline-cache PGO_GO_TEST_NOW=$SUITE_NOW "$PGO_GO_BIN" fetch --url "$URL_plain" \
    --service wl-past -o "$SUITE_TMP/baseline.pgo" >/dev/null ||
    { echo "the baseline fetch failed"; exit 1; }
}

# ---------------------------------------------------------------- helpers

# pgo ARGS…: pgo-go on the suite's clock (windows are aligned on the time
# SETUP ingested the data, whatever the hour is when a test runs).
# Every run is also checked for crashes and sanitizer reports.
pgo() {
  PGO_GO_TEST_NOW=$SUITE_NOW run "$PGO_GO_BIN" "$@"
  expect_no_crash
}

# fetch ARGS…: pgo-go fetch against the plain server, timed into $RUN_MS.
fetch() {
  local t0
  t0=$(date +%s%N)
  pgo fetch --url "$URL_plain" "$@"
  RUN_MS=$((($(date +%s%N) - t0) / 1000000))
}

# shim_app SERVICE: a main package in ./app of a module named after SERVICE,
# and a shim directory first on PATH.
shim_app() {
  reset_servers
  mkdir -p app shim
  ln -sf "$PGO_GO_BIN" shim/go
  printf 'module example.com/%s\n\ngo 1.26\n' "$1" >app/go.mod
  printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n' >app/main.go
  export GOFLAGS=-modcacherw
}

# shim_go ARGS…: `go ARGS` through the shim, in ./app, on the suite's clock.
shim_go() {
  PGO_GO_TEST_NOW=$SUITE_NOW run_shim_go "$@"
}

run_shim_go() {
  cd "$TEST_DIR/app" || return
  run env PATH="$TEST_DIR/shim:$SUITE_PATH" go "$@"
  cd "$TEST_DIR" || return
  expect_no_crash
}

# loaded_libraries PROGRAM FILE...: the libraries the dynamic loader looked
# for on behalf of PROGRAM (the base name of its argv[0]), per its
# LD_DEBUG=libs output. A file is one process, which may have been other
# programs before an exec (env, the memcheck wrapper, valgrind): a lookup
# belongs to the next program the loader initializes, or, after the last,
# to that one (its dlopen). Go's own binaries are static and say nothing.
loaded_libraries() {
  local prog=$1
  shift
  awk -v prog="$prog" '
    function flush(to) { for (l in pend) if (to == prog) print l; split("", pend) }
    FNR == 1 { flush(cur); cur = "" }
    /find library=/ { l = $0; sub(/.*find library=/, "", l); sub(/[ ;].*/, "", l); pend[l] = 1; next }
    /initialize program: / { cur = $NF; sub(/.*\//, "", cur); flush(cur); next }
    END { flush(cur) }' "$@" | sort -u | tr '\n' ' '
}

expect_within_ms() {
  ((RUN_MS <= $1)) || test_failed "took ${RUN_MS} ms, more than $1 ms: $RUN_CMD"
}

cache_dir() { echo "$XDG_CACHE_HOME/pgo-go"; }

# expect_cache_empty: nothing in the cache but whole, valid snapshots (a
# failed fetch leaves no profile, no record, no temporary file).
expect_cache_empty() {
  local d
  d=$(cache_dir)
  local n
  n=$(find "$d/profiles" "$d/snapshots" -type f 2>/dev/null | wc -l)
  ((n == 0)) || test_failed "the cache holds files after a failure:" "$(find "$d" -type f)"
}

expect_no_temp_files() {
  local t
  t=$(find "$(cache_dir)" -name '.tmp*' 2>/dev/null)
  [[ -z $t ]] || test_failed "temporary files left in the cache:" "$t"
}

# top3 FILE: the three functions with the most flat time, sorted by name.
top3() {
  "$REAL_GO" tool pprof -top "$1" 2>/dev/null |
    awk '/flat%/ {go=1; next} go && NF >= 6 {print $6}' | head -3 | sort | tr '\n' ' '
}

# meta_field FIELD: the value of FIELD in the only snapshot record.
meta_field() {
  sed -n "s/^ *\"$1\": \\(.*\\),\$/\\1/p; s/^ *\"$1\": \\(.*\\)\$/\\1/p" "$(cache_dir)"/snapshots/*.json | head -1
}

# pprof_url SERVICE: the test server's raw pprof endpoint for SERVICE.
pprof_url() { echo "$URL_plain/debug/pprof/profile?seconds=1&service=$1"; }

# tiny_module: a main package in ./tiny to build with -pgo= (the real go).
tiny_module() {
  mkdir -p tiny
  printf 'module example.com/tiny\n\ngo 1.26\n' >tiny/go.mod
  printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n' >tiny/main.go
}

# build_with PROFILE: the real go builds ./tiny with -pgo=PROFILE and
# records it.
build_with() {
  cd "$TEST_DIR/tiny" || return
  GOFLAGS=-modcacherw real_go build -pgo="$1" -o "$TEST_DIR/tiny.bin" .
  cd "$TEST_DIR" || return
  expect_exit 0
  expect_empty "$RUN_ERR"
  real_go version -m "$TEST_DIR/tiny.bin"
  expect_contains "$RUN_OUT" "-pgo=$1"
}

# top_table FILE: `go tool pprof -top` without the header lines (file,
# time, duration), which differ between a window's snapshot and a file's.
top_table() {
  "$REAL_GO" tool pprof -top "$1" 2>/dev/null | sed -n '/flat%/,$p'
}

# ---------------------------------------------------------------- tests

SUITE_fetch() {
  TEST "SDK profiles: the open window, the workload's hot functions, go build accepts it"
  reset_servers
  fetch --service pgo-go-workload
  expect_exit 0
  expect_no_crash
  expect_line "$RUN_OUT" '^wrote default\.pgo: pgo-go-workload, window .* \(open\), [0-9]+ samples, '
  expect_file_exists default.pgo
  expect_equal "$(top3 default.pgo)" "main.hotHashLoop main.hotMatrixLoop main.hotSortLoop " \
    "the top functions of the fetched profile"
  expect_equal "$(meta_field open_window)" true "open_window in the record"
  cp default.pgo "$TEST_DIR/workload.pgo"
  cd "$PGO_GO_SRC/tests/workload" || return
  # A new profile recompiles the standard library and the SDK: on two busy
  # cores that takes longer than the minute a hung command gets.
  TEST_TIMEOUT=600 real_go build -pgo="$TEST_DIR/workload.pgo" -o "$TEST_DIR/workload" .
  cd "$TEST_DIR" || return
  expect_exit 0
  expect_empty "$RUN_ERR"
  real_go version -m "$TEST_DIR/workload"
  expect_contains "$RUN_OUT" "-pgo=$TEST_DIR/workload.pgo"

  TEST "a closed window: two fetches give the same bytes, the second asks nothing"
  reset_servers
  fetch --service wl-past -o first.pgo
  expect_exit 0
  expect_line "$RUN_OUT" '^wrote first\.pgo: wl-past, window [0-9-]+ [0-9]{2}:00-([0-9-]+ )?[0-9]{2}:00 UTC, [0-9]+ samples'
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "SelectMergeProfile requests"
  fetch --service wl-past -o second.pgo
  expect_exit 0
  expect_contains "$RUN_OUT" "from the cache"
  expect_equal_content second.pgo first.pgo "the second fetch"
  expect_equal_content first.pgo "$SUITE_TMP/baseline.pgo" "the fetch"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "SelectMergeProfile requests after both"
  expect_equal "$(top3 first.pgo)" "main.hotHashLoop main.hotMatrixLoop main.hotSortLoop " \
    "the top functions"
  local sha
  sha=$(sha256sum first.pgo | cut -d' ' -f1)
  expect_file_exists "$(cache_dir)/profiles/$sha.pgo"
  expect_equal "$(meta_field sha256)" "\"$sha\"" "sha256 in the record"
  expect_equal "$(meta_field open_window)" false "open_window in the record"

  TEST "-o into a pipe, a symbolic link, a directory: written through, the link kept"
  # What is not a regular file is written into, not replaced (as root, -o
  # /dev/null once replaced the device with a file).
  mkfifo pipe
  timeout 60 cat pipe >from-pipe.pgo &
  local reader=$!
  fetch --service wl-past -o pipe
  expect_exit 0
  wait "$reader"
  expect_equal "$(stat -c %F pipe)" fifo "the pipe's type"
  expect_equal_content from-pipe.pgo "$SUITE_TMP/baseline.pgo" "what came through the pipe"
  printf 'old\n' >target.pgo
  ln -s target.pgo link.pgo
  fetch --service wl-past -o link.pgo
  expect_exit 0
  expect_equal "$(stat -c %F link.pgo)" "symbolic link" "the link's type"
  expect_equal_content target.pgo "$SUITE_TMP/baseline.pgo" "the link's target"
  mkdir adir
  fetch --service wl-past -o adir
  expect_exit 1
  expect_stderr "pgo-go: cannot write the profile to $TEST_DIR/adir: it is a directory"

  TEST "a shuffled answer (new ids, new order) gives the same bytes"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"shuffle","count":0,"renumber":true}'
  fetch --service wl-past
  expect_exit 0
  expect_equal_content default.pgo "$SUITE_TMP/baseline.pgo" "the shuffled fetch"
  fetch --service wl-past --force -o again.pgo
  expect_equal_content again.pgo "$SUITE_TMP/baseline.pgo" "a second shuffle"

  TEST "several queries merge into one profile; flags override the configuration"
  reset_servers
  PGO_GO_SERVICE=nonexistent fetch --query '{service_name="wl-past"}' --query '{service_name="wl-other"}'
  expect_exit 0
  expect_line "$RUN_OUT" '^wrote default\.pgo: \{service_name="wl-other"\}'
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 2 "one request per query"
  "$REAL_GO" tool pprof -top default.pgo >top.txt 2>/dev/null
  expect_contains top.txt main.hotHashLoop
  expect_contains top.txt example.com/lib.Checksum
  # The same set in another order is the same snapshot.
  fetch --query '{service_name="wl-other"}' --query '{service_name="wl-past"}' -o b.pgo
  expect_contains "$RUN_OUT" "from the cache"
  expect_equal_content b.pgo default.pgo

  TEST "the reduction's options reach the server and change the snapshot"
  reset_servers
  fetch --service wl-past --keep-locations 2 --no-aggregate-callees -o k2.pgo
  expect_exit 0
  curl -sf "$URL_plain/control/requests?method=SelectMergeProfile" >log.json
  fetch --service wl-past -o k5.pgo
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 2 "requests (a new key)"
  if cmp -s k2.pgo k5.pgo; then test_failed "keep_locations 2 gave the same bytes as 5"; fi

  TEST "each HTTP error: one line, the documented outcome, no retry on 4xx"
  local status
  for status in 400 401 403 404 500 501; do
    reset_servers
    fault "{\"method\":\"SelectMergeProfile\",\"kind\":\"http\",\"status\":$status,\"count\":0}"
    fetch --service wl-past
    expect_exit 1
    expect_no_crash
    expect_line_count "$RUN_ERR" 1
    expect_line "$RUN_ERR" "^pgo-go: SelectMergeProfile at $URL_plain: HTTP $status [a-z_]+: injected fault"
    expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "requests for HTTP $status"
    expect_within_ms 2000
    expect_cache_empty
    expect_file_missing default.pgo
  done
  expect_contains "$RUN_ERR" "(the server does not offer this method"

  TEST "429 and 503 are retried with backoff, then give up in bounded time"
  for status in 429 503 502 504; do
    reset_servers
    fault "{\"method\":\"SelectMergeProfile\",\"kind\":\"http\",\"status\":$status,\"count\":0}"
    fetch --service wl-past
    expect_exit 1
    expect_line_count "$RUN_ERR" 1
    expect_contains "$RUN_ERR" "after 4 attempts"
    expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 4 "requests for HTTP $status"
    expect_within_ms 6000
    expect_cache_empty
  done

  TEST "a transient 503 or 429 (Retry-After honoured) ends well"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"http","status":503,"count":2}'
  fetch --service wl-past
  expect_exit 0
  expect_equal_content default.pgo "$SUITE_TMP/baseline.pgo"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 3 "requests"
  reset_servers
  rm -rf "$(cache_dir)"
  fault '{"method":"SelectMergeProfile","kind":"retry_after","status":429,"retry_after":2,"count":1}'
  fetch --service wl-past
  expect_exit 0
  expect_equal_content default.pgo "$SUITE_TMP/baseline.pgo"
  ((RUN_MS >= 2000)) || test_failed "Retry-After: 2 was not waited for (${RUN_MS} ms)"
  expect_within_ms 4000

  TEST "a Retry-After beyond the cap is not waited for"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"retry_after","status":503,"retry_after":120,"count":0}'
  fetch --service wl-past
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "it asks to retry after 120 s"
  expect_within_ms 2000
  expect_cache_empty

  TEST "a hanging server: the total timeout bounds the wait"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"hang","count":0}'
  PGO_GO_TIMEOUT=2s fetch --service wl-past
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "no answer in time"
  expect_within_ms 4000
  expect_cache_empty
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"trickle","count":0}'
  PGO_GO_TIMEOUT=2s fetch --service wl-past
  expect_exit 1
  expect_within_ms 4000
  expect_cache_empty

  TEST "a truncated answer is retried; always truncated, it fails cleanly"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"truncate","count":1}'
  fetch --service wl-past
  expect_exit 0
  expect_equal_content default.pgo "$SUITE_TMP/baseline.pgo"
  rm -rf "$(cache_dir)" default.pgo
  local mode
  for mode in content_length close; do
    reset_servers
    fault "{\"method\":\"SelectMergeProfile\",\"kind\":\"truncate\",\"mode\":\"$mode\",\"count\":0}"
    fetch --service wl-past
    expect_exit 1
    expect_line_count "$RUN_ERR" 1
    expect_contains "$RUN_ERR" "the answer was cut short"
    expect_within_ms 6000
    expect_cache_empty
    expect_file_missing default.pgo
  done

  TEST "garbage, a login page, an oversized answer, a gzip bomb: refused"
  local f
  for f in '{"kind":"garbage"}' \
    '{"kind":"garbage","content_type":"text/html","body":"<html>Grafana login</html>"}' \
    '{"kind":"oversize"}' '{"kind":"oversize","chunked":true}' '{"kind":"gzip_bomb"}'; do
    reset_servers
    fault "{\"method\":\"SelectMergeProfile\",\"count\":0,${f#\{}"
    fetch --service wl-past
    expect_exit 1
    expect_no_crash
    expect_line_count "$RUN_ERR" 1
    expect_within_ms 15000
    expect_cache_empty
    expect_no_temp_files
  done
  expect_contains "$RUN_ERR" "larger than 64 MB once decoded"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "requests (a bomb is not retried)"

  TEST "an empty profile everywhere: no profile, and why"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"empty_profile","count":0}'
  fetch --service wl-past
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "no process_cpu:cpu:nanoseconds:cpu:nanoseconds samples for wl-past"
  # newest window, one 24 h probe, the open window: not one request per hour
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 3 "requests"
  expect_cache_empty

  TEST "an empty newest window: earlier windows are tried, one at a time"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"empty_profile","count":1}'
  PGO_GO_VERBOSE=1 fetch --service wl-two
  expect_exit 0
  expect_contains "$RUN_ERR" "no samples for wl-two in"
  # the newest window (emptied), the 24 h probe, the window before
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 3 "requests"
  expect_equal "$(meta_field window_end)" "$((PAST - 1800))" "window_end in the record"

  TEST "an unknown service, an unknown profile type: no profile, and a hint"
  reset_servers
  fetch --service no-such-service
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "it knows no service 'no-such-service' (closest: "
  fetch --service wl-past --profile-type memory:alloc_space:bytes:space:bytes
  expect_exit 1
  expect_contains "$RUN_ERR" "the server has no memory:alloc_space:bytes:space:bytes profiles, only: process_cpu"

  TEST "functions without start_line: refused as unusable for PGO"
  reset_servers
  fault '{"method":"SelectMergeProfile","kind":"no_start_line","count":0}'
  fetch --service wl-past
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "unusable for PGO: functions lack start_line"
  expect_cache_empty

  TEST "the server down: a cached profile of another window, with its age; not a too-old one"
  reset_servers
  fetch --service wl-past --window 1h -o fresh.pgo
  expect_exit 0
  fault '{"method":"SelectMergeProfile","kind":"http","status":500,"count":0}'
  fetch --service wl-past --window 30m -o stale.pgo
  expect_exit 0
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" '^pgo-go: warning: SelectMergeProfile at .*HTTP 500.*; using the cached profile of wl-past fetched [0-9]+s ago \(window '
  expect_equal_content stale.pgo fresh.pgo
  # Seven days old is too old (the default bound).
  sed -i 's/"fetched_at": [0-9]*/"fetched_at": '$((SUITE_NOW - 8 * 86400))'/' "$(cache_dir)"/snapshots/*.json
  fetch --service wl-past --window 30m -o none.pgo
  expect_exit 1
  expect_file_missing none.pgo
  PGO_GO_MAX_CACHE_AGE=30d fetch --service wl-past --window 30m -o old.pgo
  expect_exit 0
  expect_contains "$RUN_ERR" "fetched 8d ago"
  # Nothing listening at all.
  PGO_GO_CACHE_DIR=$TEST_DIR/empty pgo fetch --url http://127.0.0.1:1 --service x
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "cannot connect"

  TEST "no samples for a day, an older snapshot cached: the snapshot, with its age"
  reset_servers
  fetch --service wl-past --window 1h -o fresh.pgo
  expect_exit 0
  fault '{"method":"SelectMergeProfile","kind":"empty_profile","count":0}'
  fetch --service wl-past --window 30m -o stale.pgo
  expect_exit 0
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" '^pgo-go: warning: no process_cpu:cpu:nanoseconds:cpu:nanoseconds samples for wl-past .*; using the cached profile of wl-past fetched [0-9]+s ago \(window '
  expect_equal_content stale.pgo fresh.pgo
  sed -i 's/"fetched_at": [0-9]*/"fetched_at": '$((SUITE_NOW - 8 * 86400))'/' "$(cache_dir)"/snapshots/*.json
  fetch --service wl-past --window 30m -o none.pgo
  expect_exit 1
  expect_contains "$RUN_ERR" "no process_cpu:cpu:nanoseconds:cpu:nanoseconds samples for wl-past"
  expect_file_missing none.pgo

  TEST "offline: the newest cached snapshot, no request; nothing cached: an error"
  reset_servers
  fetch --service wl-past -o online.pgo
  reset_servers
  PGO_GO_OFFLINE=1 fetch --service wl-past --window 2h -o offline.pgo
  expect_exit 0
  expect_equal_content offline.pgo online.pgo
  expect_equal "$(curl -sf "$URL_plain/control/requests" | grep -c '"seq"')" 0 "requests while offline"
  PGO_GO_OFFLINE=1 fetch --service other-service
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "offline (PGO_GO_OFFLINE) and no profile of other-service"

  TEST "sixteen fetches at once on a cold cache make one request"
  reset_servers
  local i pids=()
  for i in $(seq 16); do
    PGO_GO_TEST_NOW=$SUITE_NOW "$PGO_GO_BIN" fetch --url "$URL_plain" --service wl-past \
      -o "c$i.pgo" >"c$i.out" 2>"c$i.err" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || test_failed "a concurrent fetch failed"; done
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "SelectMergeProfile requests"
  for i in $(seq 16); do expect_equal_content "c$i.pgo" "$SUITE_TMP/baseline.pgo" "c$i.pgo"; done
  expect_equal "$(find "$(cache_dir)/snapshots" -type f | wc -l)" 1 "snapshot records"
  expect_no_temp_files
  # And a failing server is asked once too, by those that waited for it.
  reset_servers
  rm -rf "$(cache_dir)"
  fault '{"method":"SelectMergeProfile","kind":"http","status":500,"delay_ms":1500,"count":0}'
  pids=()
  for i in $(seq 16); do
    PGO_GO_TEST_NOW=$SUITE_NOW "$PGO_GO_BIN" fetch --url "$URL_plain" --service wl-past \
      -o "f$i.pgo" >/dev/null 2>"f$i.err" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "requests to a failing server"
  expect_contains f16.err "HTTP 500"

  TEST "tenant and basic auth: headers sent, secrets in no message and no file"
  reset_servers
  pgo fetch --url "$URL_auth" --service wl-past
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "HTTP 401 unauthenticated"
  PGO_GO_TENANT_ID=acme PGO_GO_USERNAME=alice PGO_GO_PASSWORD=wrong-pass \
    pgo fetch --url "$URL_auth" --service wl-past
  expect_exit 1
  expect_contains "$RUN_ERR" "check the credentials"
  expect_not_contains "$RUN_ERR" wrong-pass
  echo op3n-sesame >pw && chmod 600 pw
  PGO_GO_TENANT_ID=acme PGO_GO_USERNAME=alice PGO_GO_PASSWORD_FILE=$TEST_DIR/pw \
    pgo fetch --url "$URL_auth" --service wl-past
  expect_exit 0
  expect_empty "$RUN_ERR"
  request_log "$URL_auth" >log.json
  expect_contains log.json '"X-Scope-Orgid":["acme"]'
  expect_contains log.json '"authorization_scheme":"Basic"'
  expect_contains log.json '"Connect-Protocol-Version":["1"]'
  expect_contains log.json '"Content-Type":["application/proto"]'
  expect_contains log.json '"Accept-Encoding":["gzip"]'
  if grep -rqF op3n-sesame "$(cache_dir)" "$TEST_DIR"/run*.err "$TEST_DIR"/run*.out; then
    test_failed "the password is in the cache or the output"
  fi
  expect_equal "$(meta_field tenant)" '"acme"' "tenant in the record"

  TEST "bearer token (from profilecli's variables), over plain http to loopback: no warning"
  reset_servers
  PROFILECLI_URL=$URL_auth PROFILECLI_TENANT_ID=acme PROFILECLI_TOKEN=tok-s3cr3t-42 \
    pgo fetch --service wl-past
  expect_exit 0
  expect_empty "$RUN_ERR"
  request_log "$URL_auth" >log.json
  expect_contains log.json '"authorization_scheme":"Bearer"'
  if grep -rqF tok-s3cr3t-42 "$(cache_dir)" log.json; then
    test_failed "the token is in the cache or the server's log"
  fi
  # 0.0.0.0 reaches this host, but is no loopback name: the warning.
  PGO_GO_CACHE_DIR=$TEST_DIR/c2 PGO_GO_TOKEN=tok-s3cr3t-42 PGO_GO_RETRIES=0 \
    pgo fetch --url http://0.0.0.0:1 --service wl-past
  expect_exit 1
  expect_contains "$RUN_ERR" "warning: credentials go to 0.0.0.0 over plain http"
  expect_not_contains "$RUN_ERR" tok-s3cr3t-42

  TEST "a base URL with a path prefix and trailing slashes"
  reset_servers
  pgo fetch --url "$URL_prefix/grafana/api/datasources/proxy/uid/pyro//" --service wl-past
  expect_exit 0
  expect_equal_content default.pgo "$SUITE_TMP/baseline.pgo"
  pgo fetch --url "$URL_prefix/wrong/prefix" --service wl-past
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  # The flag set the URL: the hint names the flag.
  expect_contains "$RUN_ERR" "check --url and its path prefix"
  PGO_GO_URL="$URL_prefix/wrong/prefix" pgo fetch --service wl-past
  expect_exit 1
  expect_contains "$RUN_ERR" "check PGO_GO_URL and its path prefix"

  TEST "cache list, clean, path"
  reset_servers
  fetch --service wl-past
  fetch --service wl-other -o other.pgo
  pgo cache path
  expect_stdout "$(cache_dir)"
  pgo cache list
  expect_exit 0
  expect_line_count "$RUN_OUT" 2
  expect_line "$RUN_OUT" '^wl-past  [0-9-]+ [0-9:]+-([0-9-]+ )?[0-9:]+ UTC  [0-9]+[smhd] ago  [0-9]+ bytes  /.*/profiles/[0-9a-f]{64}\.pgo$'
  pgo cache clean --older-than 1h
  expect_exit 0
  expect_stdout "removed 0 snapshots and 0 profiles (0 bytes) from $(cache_dir)"
  pgo cache clean
  expect_exit 0
  expect_line "$RUN_OUT" '^removed 2 snapshots and 2 profiles \([0-9]+ bytes\)'
  pgo cache list
  expect_empty "$RUN_OUT"
  pgo cache frobnicate
  expect_exit 2

  TEST "usage errors"
  pgo fetch --service a --query '{b="c"}'
  expect_exit 2
  pgo fetch --window 2d --service a
  expect_exit 2
  expect_contains "$RUN_ERR" "between 1m and 24h"
  pgo fetch --bogus
  expect_exit 2
  pgo fetch --url "$URL_plain"
  expect_exit 1
  expect_contains "$RUN_ERR" "no service to fetch a profile for"

  # ------------------------------------------------- a raw pprof URL, local files

  TEST "--pprof-url: reduced, cached for the window, the same bytes as the saved answer"
  reset_servers
  tiny_module
  pgo fetch --pprof-url "$(pprof_url wl-past)" -o url.pgo
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_line "$RUN_OUT" "^wrote url\.pgo: http://.*/debug/pprof/profile\?seconds=1&service=wl-past, captured [0-9-]+ [0-9:]+-([0-9-]+ )?[0-9:]+ UTC, [0-9]+ samples, "
  expect_equal "$(requests "$URL_plain" Pprof)" 1 "Pprof requests"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 0 "SelectMergeProfile requests"
  expect_equal "$(top3 url.pgo)" "main.hotHashLoop main.hotMatrixLoop main.hotSortLoop " "the top functions"
  expect_equal "$(meta_field profile_type)" '"pprof-url:cpu"' "profile_type in the record"
  # The endpoint serves the data wl-past was ingested from.
  pgo fetch --from "$SUITE_TMP/raw.pprof" -o saved.pgo
  expect_exit 0
  expect_equal_content saved.pgo url.pgo "the saved answer, reduced"
  # Pyroscope's own go-pgo reduction of the same data agrees, stack for stack.
  fetch --service wl-past -o server.pgo
  expect_equal "$(top_table server.pgo)" "$(top_table url.pgo)" "pprof -top of the server's reduction"
  build_with "$TEST_DIR/url.pgo"
  # The same window: the cache, no request; the next one asks again.
  pgo fetch --pprof-url "$(pprof_url wl-past)" -o again.pgo
  expect_contains "$RUN_OUT" "from the cache"
  expect_equal_content again.pgo url.pgo
  expect_equal "$(requests "$URL_plain" Pprof)" 1 "Pprof requests in the same window"
  PGO_GO_TEST_NOW=$((SUITE_NOW + 3600)) run "$PGO_GO_BIN" fetch --pprof-url "$(pprof_url wl-past)" -o next.pgo
  expect_exit 0
  expect_equal "$(requests "$URL_plain" Pprof)" 2 "Pprof requests in the next window"
  # The endpoint down later still: the newest snapshot, with its age.
  fault '{"method":"Pprof","kind":"http","status":503,"count":0}'
  PGO_GO_RETRIES=0 PGO_GO_TEST_NOW=$((SUITE_NOW + 7200)) run "$PGO_GO_BIN" fetch --pprof-url "$(pprof_url wl-past)" -o stale.pgo
  expect_exit 0
  expect_no_crash
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "^pgo-go: warning: pprof endpoint at .*HTTP 503.*; using the cached profile of the pprof endpoint fetched 1h ago"
  expect_equal_content stale.pgo url.pgo

  TEST "--pprof-url: 404, a wrong path, garbage, oversize, no samples: one line, nothing cached"
  local f
  for f in path '{"kind":"http","status":404}' '{"kind":"garbage"}' '{"kind":"oversize"}' \
    '{"kind":"gzip_bomb"}' '{"kind":"empty_profile"}' '{"kind":"no_start_line"}'; do
    reset_servers
    rm -rf "$(cache_dir)"
    if [[ $f == path ]]; then
      pgo fetch --pprof-url "$URL_plain/debug/pprof/nothere?seconds=1"
    else
      fault "{\"method\":\"Pprof\",\"count\":0,${f#\{}"
      pgo fetch --pprof-url "$(pprof_url wl-past)"
    fi
    expect_exit 1
    expect_line_count "$RUN_ERR" 1
    expect_cache_empty
    expect_no_temp_files
    expect_file_missing default.pgo
    case $f in
    *404* | path) expect_contains "$RUN_ERR" "HTTP 404" && expect_contains "$RUN_ERR" "check --pprof-url" ;;
    *garbage*) expect_contains "$RUN_ERR" "is not a valid profile: not a pprof profile" ;;
    *oversize* | *bomb*) expect_contains "$RUN_ERR" "larger than 64 MB once decoded" ;;
    *empty*) expect_contains "$RUN_ERR" "sent a profile without samples" ;;
    *start_line*) expect_contains "$RUN_ERR" "unusable for PGO: functions lack start_line" ;;
    esac
  done
  expect_equal "$(requests "$URL_plain" Pprof)" 1 "requests (a refused answer is not retried)"
  # A flag's value goes through the setting's parser: a usage error naming
  # the flag; the same value in the environment names the variable.
  pgo fetch --pprof-url "ftp://example.com/x"
  expect_exit 2
  expect_stderr "pgo-go: --pprof-url 'ftp://example.com/x': not a URL: it must start with http:// or https://"
  PGO_GO_PPROF_URL="ftp://example.com/x" pgo fetch
  expect_exit 1
  expect_stderr "pgo-go: PGO_GO_PPROF_URL='ftp://example.com/x': not a URL: it must start with http:// or https://"
  pgo fetch --pprof-url "$(pprof_url wl-past)" --service wl-past
  expect_exit 2

  TEST "--from FILE and DIR: the same reduction as the server's, accepted by go build"
  reset_servers
  tiny_module
  pgo fetch --from "$FIXTURES/cpu.pprof" -o one.pgo
  expect_exit 0
  expect_line "$RUN_OUT" "^wrote one\.pgo: $FIXTURES/cpu\.pprof, .*[0-9]+ samples, "
  # wl-other holds this very file: the raw endpoint gives the same bytes.
  pgo fetch --pprof-url "$(pprof_url wl-other)" -o other-url.pgo
  expect_equal_content other-url.pgo one.pgo "the fixture through the raw endpoint"
  fetch --service wl-other -o other-server.pgo
  expect_equal "$(top_table other-server.pgo)" "$(top_table one.pgo)" "pprof -top of the server's reduction"
  build_with "$TEST_DIR/one.pgo"
  # A directory: every profile in it merged, anything else ignored.
  mkdir profs
  cp "$FIXTURES/cpu.pprof" profs/a.pprof
  cp "$SUITE_TMP/raw.pprof" profs/b.pb.gz
  echo notes >profs/README.txt
  pgo fetch --from profs -o merged.pgo
  expect_exit 0
  expect_line "$RUN_OUT" "^wrote merged\.pgo: profs, "
  "$REAL_GO" tool pprof -top merged.pgo >top.txt 2>/dev/null
  expect_contains top.txt main.hotHashLoop
  expect_contains top.txt example.com/lib.Checksum
  pgo fetch --from profs/b.pb.gz --from profs/a.pprof -o listed.pgo
  expect_contains "$RUN_OUT" "from the cache"
  expect_equal_content listed.pgo merged.pgo "the files listed one by one"
  # Pyroscope merging the same two profiles agrees, stack for stack.
  fetch --query '{service_name="wl-past"}' --query '{service_name="wl-other"}' -o both.pgo
  expect_equal "$(top_table both.pgo)" "$(top_table merged.pgo)" "pprof -top of the server's merge"
  build_with "$TEST_DIR/merged.pgo"
  # A bad file in the directory: one line naming it, nothing new cached.
  local before
  before=$(find "$(cache_dir)/profiles" "$(cache_dir)/snapshots" -type f | wc -l)
  head -c 100 "$FIXTURES/cpu.pprof" >profs/c.pgo
  pgo fetch --from profs -o broken.pgo
  expect_exit 1
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "^pgo-go: profs/c\.pgo is not a valid profile: gzip data is truncated"
  expect_file_missing broken.pgo
  expect_equal "$(find "$(cache_dir)/profiles" "$(cache_dir)/snapshots" -type f | wc -l)" "$before" \
    "profiles and records in the cache"
  mkdir none
  pgo fetch --from none
  expect_exit 1
  expect_contains "$RUN_ERR" "no *.pprof, *.pgo or *.pb.gz file in none"
  pgo fetch --from profs --pprof-url "$(pprof_url wl-past)"
  expect_exit 2

  # ------------------------------------------------------------ through the shim

  TEST "go build through the shim: fetched from Pyroscope, verified, then from the cache"
  shim_app wl-past
  PGO_GO_URL=$URL_plain PGO_GO_VERIFY=strict PGO_GO_VERBOSE=1 shim_go build
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: .*/app/wl-past: service wl-past, profile /.*/profiles/[0-9a-f]{64}\.pgo \(pyroscope: fetched, window .*\), verified$"
  local recorded
  recorded=$("$REAL_GO" version -m app/wl-past | awk -F'\t' '$3 ~ /^-pgo=/ {sub(/^-pgo=/, "", $3); print $3}')
  expect_line <(echo "$recorded") "^$(cache_dir)/profiles/[0-9a-f]{64}\.pgo$"
  expect_equal_content "$recorded" "$SUITE_TMP/baseline.pgo" "the profile the binary names"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "SelectMergeProfile requests"
  PGO_GO_URL=$URL_plain PGO_GO_VERIFY=strict shim_go build
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "requests after a rebuild"

  TEST "go build through the shim: a warm cache never loads the network library"
  shim_app wl-past
  # The dynamic loader says what it maps (LD_DEBUG); libcurl comes with a
  # fetch, and must not come with a build the cache serves.
  PGO_GO_URL=$URL_plain LD_DEBUG=libs LD_DEBUG_OUTPUT=$TEST_DIR/cold shim_go build
  expect_exit 0
  grep -qs 'libcurl' "$TEST_DIR"/cold.* || test_failed "the cold build did not load libcurl: the check would prove nothing"
  PGO_GO_URL=$URL_plain PGO_GO_VERIFY=strict LD_DEBUG=libs LD_DEBUG_OUTPUT=$TEST_DIR/warm shim_go build
  expect_exit 0
  expect_empty "$RUN_ERR"
  ! grep -qs 'libcurl' "$TEST_DIR"/warm.* || test_failed "a warm-cache build loaded libcurl:" "$(grep -h libcurl "$TEST_DIR"/warm.* | head -3)"
  # No library beyond those pgo-go needs to start at all (libc; in a
  # sanitized build the sanitizers' too): the loader's "find library" lines
  # name each one it looked for (go, a static binary, writes none). The
  # pass-through path likewise.
  LD_DEBUG=libs LD_DEBUG_OUTPUT=$TEST_DIR/floor pgo_go version "$REAL_GO"
  expect_exit 0
  PGO_GO_URL=$URL_plain LD_DEBUG=libs LD_DEBUG_OUTPUT=$TEST_DIR/pass shim_go env GOROOT
  expect_exit 0
  local floor
  floor=$(loaded_libraries pgo-go "$TEST_DIR"/floor.*)
  [[ $floor == *libc.so* ]] || test_failed "pgo-go version's libraries ($floor): the check would prove nothing"
  expect_equal "$(loaded_libraries go "$TEST_DIR"/warm.*)" "$floor" "libraries a warm-cache build loads"
  expect_equal "$(loaded_libraries go "$TEST_DIR"/pass.*)" "$floor" "libraries a pass-through loads"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 1 "requests"
  PGO_GO_URL=http://127.0.0.1:9 PGO_GO_PPROF_URL=$(pprof_url wl-past) shim_go build
  PGO_GO_URL=http://127.0.0.1:9 PGO_GO_PPROF_URL=$(pprof_url wl-past) LD_DEBUG=libs \
    LD_DEBUG_OUTPUT=$TEST_DIR/warm-url shim_go build
  expect_exit 0
  ! grep -qs 'libcurl' "$TEST_DIR"/warm-url.* || test_failed "a warm pprof_url build loaded libcurl"

  TEST "go build through the shim: the service is found among the server's names"
  shim_app wl-past
  mv app/go.mod app/go.mod.orig
  printf 'module example.com/wl-past\n\ngo 1.26\n' >app/go.mod
  mkdir -p app/cmd/server && mv app/main.go app/cmd/server/
  PGO_GO_URL=$URL_plain PGO_GO_VERIFY=strict PGO_GO_VERBOSE=1 shim_go build -o server ./cmd/server
  expect_exit 0
  expect_contains "$RUN_ERR" "service wl-past,"
  expect_contains "$RUN_ERR" "verified"

  TEST "go build through the shim: server down, no cache: one warning, the build runs"
  shim_app wl-past
  PGO_GO_URL=http://127.0.0.1:9 PGO_GO_RETRIES=0 shim_go build
  expect_exit 0
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "^pgo-go: warning: no profile for service 'wl-past': .*127.0.0.1:9.*; building without PGO$"
  expect_file_exists app/wl-past
  PGO_GO_URL=http://127.0.0.1:9 PGO_GO_RETRIES=0 PGO_GO_REQUIRE=1 shim_go build -o strict-app
  expect_exit 1
  expect_line "$RUN_ERR" "^pgo-go: no profile for service 'wl-past' and PGO_GO_REQUIRE is set: "
  expect_file_missing app/strict-app

  TEST "go build through the shim: server down, a cached snapshot is used with its age"
  shim_app wl-past
  PGO_GO_URL=$URL_plain shim_go build
  expect_exit 0
  fault '{"method":"*","kind":"http","status":503}'
  # a later hour: the cached snapshot is no longer this window's
  PGO_GO_TEST_NOW=$((SUITE_NOW + 3600)) PGO_GO_URL=$URL_plain PGO_GO_RETRIES=0 \
    PGO_GO_VERIFY=strict run_shim_go build -o later
  expect_exit 0
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "^pgo-go: warning: .*HTTP 503.*; using the cached profile of wl-past fetched 1h ago"
  expect_file_exists app/later

  TEST "go build through the shim: PGO_GO_PPROF_URL instead of Pyroscope"
  shim_app wl-past
  PGO_GO_URL=http://127.0.0.1:9 PGO_GO_PPROF_URL=$(pprof_url wl-past) PGO_GO_VERIFY=strict \
    PGO_GO_VERBOSE=1 shim_go build
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: .*/app/wl-past: service wl-past, profile /.*/profiles/[0-9a-f]{64}\.pgo \(pprof_url: fetched, captured [0-9T:-]+Z\), verified$"
  expect_equal "$(requests "$URL_plain" Pprof)" 1 "Pprof requests"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 0 "SelectMergeProfile requests"
  recorded=$("$REAL_GO" version -m app/wl-past | awk -F'\t' '$3 ~ /^-pgo=/ {sub(/^-pgo=/, "", $3); print $3}')
  pgo fetch --pprof-url "$(pprof_url wl-past)" -o fetched.pgo
  expect_contains "$RUN_OUT" "from the cache"
  expect_equal_content "$recorded" fetched.pgo "the profile the binary names"
  PGO_GO_URL=http://127.0.0.1:9 PGO_GO_PPROF_URL=$(pprof_url wl-past) PGO_GO_VERIFY=strict shim_go build
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_equal "$(requests "$URL_plain" Pprof)" 1 "Pprof requests after a rebuild"
  # An endpoint that fails, nothing cached: one warning, the build runs.
  rm -rf "$(cache_dir)"
  PGO_GO_PPROF_URL=$URL_plain/debug/pprof/nothere shim_go build -o no-pgo
  expect_exit 0
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "^pgo-go: warning: no profile for service 'wl-past': pprof endpoint at .*HTTP 404.*; building without PGO$"
  expect_file_exists app/no-pgo
}
