# Reliability: every way the profile server can misbehave, crashes at
# random points of a fetch and at every step of its cache writes
# (tests/tools/killat), a read-only and a full cache, concurrent builds, and
# the exit-code fidelity of the shim against the real go. Every build is a
# real `go build` of one small module (warm Go build cache, ~0.3 s) through
# the shim; the server is tests/pyroserver on 127.0.0.1. Short timeouts
# (PGO_GO_TIMEOUT=2s, PGO_GO_CONNECT_TIMEOUT=1s, PGO_GO_RETRIES=1) keep the
# whole suite to a few minutes. It ends by printing a summary block.

SUITE_reliability_PROBE() {
  command -v curl >/dev/null || echo "no curl (the suite drives the test server with it)"
  command -v jq >/dev/null || echo "no jq (the suite parses snapshot records with it)"
  command -v flock >/dev/null || echo "no flock (the suite checks that no lock is left held)"
  command -v setsid >/dev/null || echo "no setsid (the suite kills a build with what it started)"
}

# ---------------------------------------------------------------- server

REL_BIN=""
REL_SERVER_PID=""
REL_MOUNTS=()
URL=""

rel_cleanup() {
  local m
  for m in "${REL_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
  if [[ -n $REL_SERVER_PID ]]; then
    kill "$REL_SERVER_PID" 2>/dev/null
    wait "$REL_SERVER_PID" 2>/dev/null
  fi
}

ctl() { # METHOD PATH [JSON]
  if [[ -n ${3:-} ]]; then
    curl -sf -X "$1" "$URL/control/$2" -d "$3" >/dev/null
  else
    curl -sf -X "$1" "$URL/control/$2" >/dev/null
  fi
}

# set_fault JSON-FIELDS: the only fault from now on, for SelectMergeProfile,
# with the request log cleared ("" = no fault).
set_fault() {
  ctl POST reset
  [[ -z $1 ]] || ctl POST fault "{\"method\":\"SelectMergeProfile\",\"count\":0,$1}" ||
    test_failed "cannot set fault $1"
}

requests() { curl -sf "$URL/control/requests?method=$1" | grep -c '"seq"'; }

SUITE_reliability_SETUP() {
  REL_BIN=$SUITE_TMP/bin
  mkdir -p "$REL_BIN"
  (cd "$PGO_GO_SRC/tests/pyroserver" && GOTOOLCHAIN=local GOFLAGS='' "$REAL_GO" build -o "$REL_BIN/pyroserver" .) ||
    { echo "cannot build the test server"; exit 1; }
  trap rel_cleanup EXIT
  killat_build
  "$REL_BIN/pyroserver" -addr 127.0.0.1:0 -addr-file "$SUITE_TMP/addr" -control >"$SUITE_TMP/server.log" 2>&1 &
  REL_SERVER_PID=$!
  for _ in $(seq 100); do [[ -s $SUITE_TMP/addr ]] && break; sleep 0.05; done
  [[ -s $SUITE_TMP/addr ]] || { echo "pyroserver did not start: $(cat "$SUITE_TMP/server.log")"; exit 1; }
  URL=http://$(cat "$SUITE_TMP/addr")

  # The same data in the last two closed hours, for three services: a
  # snapshot of the earlier hour is the "cached snapshot" of the fault
  # table; equal data gives equal profile bytes, so one warm Go build cache
  # serves every service.
  SUITE_NOW=$(date +%s)
  local past=$((SUITE_NOW - SUITE_NOW % 3600 - 1800)) svc from
  for svc in rel rel2 crash; do
    for from in "$past" "$((past - 3600))"; do
      curl -sf --data-binary "@$FIXTURES/cpu.pprof" \
        "$URL/ingest?format=pprof&name=$svc&from=$from&until=$((from + 10))" >/dev/null ||
        { echo "cannot ingest the fixture profile"; exit 1; }
    done
  done

  # The module every build builds, and the seed cache: one build an hour
  # ago. It also warms the Go build cache for the profile (once per
  # machine: a new profile recompiles the standard library).
  mkdir -p "$SUITE_TMP/seed-mod" "$SUITE_TMP/shim"
  ln -sf "$PGO_GO_BIN" "$SUITE_TMP/shim/go"
  write_module "$SUITE_TMP/seed-mod" rel
  (cd "$SUITE_TMP/seed-mod" && GOFLAGS=-modcacherw GOTOOLCHAIN=local GOENV=off GOPROXY=off \
    PATH="$SUITE_TMP/shim:$PATH" PGO_GO_URL=$URL PGO_GO_TEST_NOW=$((SUITE_NOW - 3600)) \
    PGO_GO_CACHE_DIR=$SUITE_TMP/seed-cache PGO_GO_VERIFY=strict go build -o rel &&
    GOFLAGS=-modcacherw GOTOOLCHAIN=local GOENV=off GOPROXY=off "$REAL_GO" build -o plain .) \
    >"$SUITE_TMP/seed.log" 2>&1 || { echo "the seed build failed: $(cat "$SUITE_TMP/seed.log")"; exit 1; }
  SEED_PROFILE=$(ls "$SUITE_TMP"/seed-cache/profiles/*.pgo)
  ctl POST reset

  # "Refused": a second server that served the seed an hour ago, then
  # stopped, so its port now refuses and the seed holds its snapshot.
  "$REL_BIN/pyroserver" -addr 127.0.0.1:0 -addr-file "$SUITE_TMP/dead-addr" >/dev/null 2>&1 &
  local dead=$!
  for _ in $(seq 100); do [[ -s $SUITE_TMP/dead-addr ]] && break; sleep 0.05; done
  DEAD_URL=http://$(cat "$SUITE_TMP/dead-addr")
  from=$((past - 3600))
  if ! curl -sf --data-binary "@$FIXTURES/cpu.pprof" \
    "$DEAD_URL/ingest?format=pprof&name=rel&from=$from&until=$((from + 10))" >"$SUITE_TMP/seed.log" 2>&1 ||
    ! (cd "$SUITE_TMP/seed-mod" && GOFLAGS=-modcacherw GOTOOLCHAIN=local GOENV=off GOPROXY=off \
      PATH="$SUITE_TMP/shim:$PATH" PGO_GO_URL=$DEAD_URL PGO_GO_TEST_NOW=$((SUITE_NOW - 3600)) \
      PGO_GO_CACHE_DIR=$SUITE_TMP/seed-cache PGO_GO_VERIFY=strict go build -o rel) \
      >"$SUITE_TMP/seed.log" 2>&1; then
    echo "the seed build (dead server) failed: $(cat "$SUITE_TMP/seed.log")"
    exit 1
  fi
  kill "$dead"
  wait "$dead" 2>/dev/null
  [[ $(ls "$SUITE_TMP"/seed-cache/profiles/*.pgo) == "$SEED_PROFILE" ]] ||
    { echo "the two seed builds cached different profiles"; exit 1; }
}

write_module() { # DIR SERVICE
  printf 'module example.com/%s\n\ngo 1.26\n' "$2" >"$1/go.mod"
  printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n' >"$1/main.go"
}

# ---------------------------------------------------------------- helpers

# rel_app SERVICE: ./app holds the module of SERVICE.
rel_app() {
  mkdir -p app
  write_module app "$1"
  export GOFLAGS=-modcacherw PGO_GO_CACHE_DIR=$TEST_DIR/cache
  export PGO_GO_TIMEOUT=2s PGO_GO_CONNECT_TIMEOUT=1s PGO_GO_RETRIES=1
}

BUILDS=0

# shim_build ARGS…: `go build ARGS` in ./app through the shim on the
# suite's clock; the wall time in $RUN_MS.
shim_build() {
  local t0
  t0=$(date +%s%N)
  cd "$TEST_DIR/app" || return
  PGO_GO_TEST_NOW=${PGO_GO_TEST_NOW:-$SUITE_NOW} run env PATH="$SUITE_TMP/shim:$SUITE_PATH" go build "$@"
  cd "$TEST_DIR" || return
  RUN_MS=$((($(date +%s%N) - t0) / 1000000))
  BUILDS=$((BUILDS + 1))
  expect_no_crash
}

# expect_cache_consistent DIR [WHEN]: every profile is named after the
# sha256 of its content, every snapshot record parses and names an existing
# profile, every service name is one line, no lock is held, and nothing else
# is there but `.tmp-*` files (cache_write_atomic's, left only by a crash)
# when ALLOW_TMP=1. WHEN, if given, starts every complaint.
expect_cache_consistent() {
  local d=$1 w=${2:+$2: } f sha
  [[ -d $d ]] || return 0
  for f in "$d"/profiles/* "$d"/profiles/.* "$d"/snapshots/* "$d"/snapshots/.* "$d"/services/.*; do
    [[ -e $f ]] || continue
    case ${f##*/} in
      . | ..) ;;
      .tmp-*) ((${ALLOW_TMP:-0})) || test_failed "${w}temporary file left in the cache: $f" ;;
      *.pgo)
        sha=$(sha256sum "$f" | cut -d' ' -f1)
        [[ ${f##*/} == "$sha.pgo" ]] || test_failed "${w}profile $f holds content of sha256 $sha"
        ;;
      *.json)
        sha=$(jq -er '.sha256' "$f" 2>/dev/null)
        [[ $sha =~ ^[0-9a-f]{64}$ ]] || { test_failed "${w}snapshot record $f does not parse"; continue; }
        [[ -f $d/profiles/$sha.pgo ]] || test_failed "${w}snapshot record $f names a missing profile $sha"
        ;;
      *) test_failed "${w}unexpected file in the cache: $f" ;;
    esac
  done
  for f in "$d"/services/*; do
    [[ -e $f ]] || continue
    [[ $(wc -l <"$f") == 1 ]] || test_failed "${w}service record $f is not one line"
  done
  # A lock still held would stall the next build for its whole wait.
  for f in "$d"/locks/*; do
    [[ -e $f ]] || continue
    flock -n "$f" true || test_failed "${w}lock $f is held"
  done
}

profiles_in() { find "$1/profiles" -name '*.pgo' 2>/dev/null | wc -l; }

# ---------------------------------------------------------------- 1. fault table

# name | fault fields (for SelectMergeProfile; "refused" points the shim at
# a stopped server's port) | what the one line says about it | does a cached
# snapshot of an earlier hour save the build (every fault does, an empty
# answer too: a service without samples for a day still builds with the
# profile it had, up to max_cache_age)
FAULTS=(
  'refused||cannot connect|yes'
  'hang|"kind":"hang"|no answer in time|yes'
  'trickle|"kind":"trickle"|no answer in time|yes'
  'http-401|"kind":"http","status":401|HTTP 401 unauthenticated|yes'
  'http-403|"kind":"http","status":403|HTTP 403 permission_denied|yes'
  'http-404|"kind":"http","status":404|HTTP 404 not_found|yes'
  'http-429|"kind":"http","status":429|HTTP 429 resource_exhausted.*after 2 attempts|yes'
  'http-429-retry-after|"kind":"retry_after","status":429,"retry_after":1|HTTP 429 resource_exhausted.*after 2 attempts|yes'
  'http-500|"kind":"http","status":500|HTTP 500 internal|yes'
  'http-503|"kind":"http","status":503|HTTP 503 unavailable.*after 2 attempts|yes'
  'truncated|"kind":"truncate"|the answer was cut short|yes'
  'not-protobuf|"kind":"garbage"|not a pprof profile|yes'
  'gzip-bomb|"kind":"gzip_bomb"|larger than 64 MB once decoded|yes'
  'oversized|"kind":"oversize"|larger than 64 MB once decoded|yes'
  'empty-profile|"kind":"empty_profile"|no process_cpu:cpu:nanoseconds:cpu:nanoseconds samples for rel|yes'
  'no-start-line|"kind":"no_start_line"|functions lack start_line|yes'
)

# policy | environment
POLICIES=(
  'default|'
  'require|PGO_GO_REQUIRE=1'
  'offline|PGO_GO_OFFLINE=1'
)

# The bound on a build's wall time: the 2 s total timeout, a 1 s
# Retry-After, and a margin for the build itself under the sanitizers.
FAULT_BOUND_MS=6000
declare -A FAULT_MAX_MS=()

# fault_case FAULT POLICY CACHED: one build, every check.
fault_case() {
  local name=$1 fields=$2 why=$3 saves=$4 policy=$5 penv=$6 cached=$7
  local label=$name/$policy/cold
  ((cached)) && label=$name/$policy/cached
  rm -rf cache app/out
  ((cached)) && cp -a "$SUITE_TMP/seed-cache" cache
  set_fault "$fields"
  local url=$URL
  [[ $name == refused ]] && url=$DEAD_URL
  # shellcheck disable=SC2086
  PGO_GO_URL=$url shim_build_env $penv -- -o out
  local ms=$RUN_MS
  ((ms > ${FAULT_MAX_MS[$name]:-0})) && FAULT_MAX_MS[$name]=$ms
  ((ms <= FAULT_BOUND_MS)) || test_failed "$label: took $ms ms, more than $FAULT_BOUND_MS ms"

  # The expected outcome and line.
  local status=0 line
  if [[ $policy == offline ]]; then
    if ((cached)); then line=""; else
      line="^pgo-go: warning: no profile for service 'rel': offline \(PGO_GO_OFFLINE\) and no profile of rel from .*; building without PGO$"
    fi
  elif ((cached)) && [[ $saves == yes ]]; then
    line="^pgo-go: warning: .*$why.*; using the cached profile of rel fetched 1h ago \(window "
  elif [[ $policy == require ]]; then
    status=1
    line="^pgo-go: no profile for service 'rel' and PGO_GO_REQUIRE is set: .*$why"
  else
    line="^pgo-go: warning: no profile for service 'rel': .*$why.*; building without PGO$"
  fi
  [[ $RUN_STATUS == "$status" ]] ||
    test_failed "$label: exit status $RUN_STATUS, expected $status" "$(head -c 600 "$RUN_ERR")"
  if [[ -z $line ]]; then
    [[ -s $RUN_ERR ]] && test_failed "$label: stderr not empty:" "$(head -c 600 "$RUN_ERR")"
  else
    [[ $(wc -l <"$RUN_ERR") == 1 ]] || test_failed "$label: stderr is not one line:" "$(head -c 800 "$RUN_ERR")"
    grep -aqE -- "$line" "$RUN_ERR" || test_failed "$label: no line matches /$line/:" "$(head -c 800 "$RUN_ERR")"
  fi
  if ((status == 0)); then
    [[ -x app/out ]] || test_failed "$label: no binary"
  else
    [[ -e app/out ]] && test_failed "$label: a binary despite the failure"
  fi
  expect_cache_consistent "$TEST_DIR/cache"
  local want=0
  ((cached)) && want=1
  [[ $(profiles_in cache) == "$want" ]] || test_failed "$label: $(profiles_in cache) profiles in the cache, expected $want"
  ((cached)) && { cmp -s cache/profiles/*.pgo "$SEED_PROFILE" || test_failed "$label: the cached profile changed"; }
  FAULT_CASES=$((FAULT_CASES + 1))
}

# shim_build_env VAR=VALUE… -- ARGS…
shim_build_env() {
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  if ((${#envs[@]})); then
    local v
    for v in "${envs[@]}"; do export "${v?}"; done
    shim_build "$@"
    for v in "${envs[@]}"; do unset "${v%%=*}"; done
  else
    shim_build "$@"
  fi
}

FAULT_CASES=0

# ---------------------------------------------------------------- 2. a kill at every step

# tests/tools/killat, an LD_PRELOAD library: it counts the calls that
# change the cache (mkdir, open for writing, mkstemp, write, fchmod, fsync,
# ftruncate, flock, close, rename, unlink…) and SIGKILLs the process just
# before or just after the Nth.
KILLAT_SO=""
KILLAT_ERROR="not built"
declare -A KILLAT_STEPS=()
KILLAT_KILLS=0
KILLAT_TMP=0
KILLAT_RESULT=""
KILLAT_WANT="" # records/profiles a clean run leaves

killat_build() {
  if ! command -v cc >/dev/null; then
    KILLAT_ERROR="no cc to build tests/tools/killat with"
  elif cc -shared -fPIC -O1 -Wall -Wextra -Werror -o "$SUITE_TMP/killat.so" \
    "$PGO_GO_SRC/tests/tools/killat/killat.c" -ldl >"$SUITE_TMP/killat.log" 2>&1; then
    KILLAT_SO=$SUITE_TMP/killat.so
  else
    KILLAT_ERROR="cannot build tests/tools/killat: $(head -c 600 "$SUITE_TMP/killat.log")"
  fi
}

# killat_run N WHEN CMD…: `run CMD` with killat watching ./cache: SIGKILL
# before (WHEN=before) or after (after) the Nth step; N=0 only counts the
# steps into killat.count and lists them in killat.log.
killat_run() {
  local n=$1 when=$2
  shift 2
  rm -f "$TEST_DIR/killat.count" "$TEST_DIR/killat.log"
  # A sanitizer's runtime wants to be the first library; here killat is.
  # (the group keeps bash's "Killed" notice out of the log)
  {
    run env LD_PRELOAD="$KILLAT_SO" KILLAT_DIR="$TEST_DIR/cache" KILLAT_N="$n" KILLAT_WHEN="$when" \
      KILLAT_COUNT_FILE="$TEST_DIR/killat.count" KILLAT_LOG="$TEST_DIR/killat.log" \
      ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
  } 2>/dev/null
}

# killat_scenario fetch|build N WHEN: the run to kill, on the cache it
# starts from. fetch: `pgo-go fetch` on a cold cache (it writes the
# profile, the record, the lock). build: a shim `go build` on the seed
# cache, which holds a snapshot of the hour before, less its service names
# (it writes a service name, then this hour's profile and record).
killat_scenario() {
  rm -rf cache app/out out.pgo
  if [[ $1 == fetch ]]; then
    PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL killat_run "$2" "$3" \
      "$PGO_GO_BIN" fetch --service rel -o "$TEST_DIR/out.pgo"
  else
    cp -a "$SUITE_TMP/seed-cache" cache
    rm -f cache/services/*
    cd app || return
    PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL PGO_GO_VERIFY=strict killat_run "$2" "$3" \
      env PATH="$SUITE_TMP/shim:$SUITE_PATH" go build -o out
    cd "$TEST_DIR" || return
  fi
}

records_in() { find "$1/snapshots" -name '*.json' 2>/dev/null | wc -l; }

# cache_state: a digest of ./cache, its names, modes and contents (the
# random part of temporary names aside). The next run depends on nothing
# else, so one next run per state tried covers every kill that left it.
cache_state() {
  (cd cache 2>/dev/null && find . -printf '%p %y %m\n' && find . -type f -exec sha256sum {} +) |
    sed -E 's/(\.tmp-[^ ]*-)[A-Za-z0-9]{6}/\1XXXXXX/' | sort | sha256sum | cut -c1-16
}

# killat_count SCENARIO: a clean run under killat: how many steps it has
# (KILLAT_STEPS), what each is (killat-SCENARIO.log), what it leaves.
killat_count() {
  killat_scenario "$1" 0 before
  expect_exit 0
  expect_no_crash
  KILLAT_STEPS[$1]=$(cat killat.count 2>/dev/null || echo 0)
  cp killat.log "killat-$1.log" 2>/dev/null
  ((KILLAT_STEPS[$1] > 0)) || test_failed "$1: killat counted no step"
  [[ $1 == build ]] || cp out.pgo want.pgo
  KILLAT_WANT="$(records_in cache)/$(profiles_in cache)"
}

declare -A KILLAT_SEEN=() KILLAT_NEXT=()

# killat_step SCENARIO N WHEN: kills the run at one step; then the cache
# is consistent, and for a state no kill left before: the next run
# succeeds on it, asks the server only when the record was not written,
# and serves the profile; `cache clean` removes the temporary files.
killat_step() {
  local what=$1 n=$2 when=$3 at records tmp state
  at="$what killed $when step $n of ${KILLAT_STEPS[$what]} ($(sed -n "${n}p" "killat-$what.log"))"
  killat_scenario "$what" "$n" "$when"
  if [[ $RUN_STATUS != 137 ]]; then
    test_failed "$at: exit status $RUN_STATUS, expected 137 (SIGKILL)" "$(head -c 600 "$RUN_ERR")"
    return
  fi
  KILLAT_KILLS=$((KILLAT_KILLS + 1))
  ALLOW_TMP=1 expect_cache_consistent "$TEST_DIR/cache" "$at"
  tmp=$(find cache -name '.tmp-*' 2>/dev/null | wc -l)
  KILLAT_TMP=$((KILLAT_TMP + tmp))
  state=$what-$(cache_state)
  [[ -z ${KILLAT_SEEN[$state]:-} ]] || return 0
  KILLAT_SEEN[$state]=$at
  KILLAT_NEXT[$what]=$((${KILLAT_NEXT[$what]:-0} + 1))
  records=$(records_in cache)

  set_fault "" # clears the request log
  if [[ $what == fetch ]]; then
    PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL run "$PGO_GO_BIN" fetch --service rel -o "$TEST_DIR/next.pgo"
    expect_no_crash
    cmp -s next.pgo want.pgo || test_failed "$at: the next fetch wrote another profile"
  else
    PGO_GO_URL=$URL PGO_GO_VERIFY=strict shim_build -o next
  fi
  [[ $RUN_STATUS == 0 && ! -s $RUN_ERR ]] ||
    test_failed "$at: the next run exited $RUN_STATUS:" "$(head -c 600 "$RUN_ERR")"
  expect_equal "$(requests SelectMergeProfile)" "$((records == ${KILLAT_WANT%/*} ? 0 : 1))" \
    "$at: the next run's requests"
  ALLOW_TMP=1 expect_cache_consistent "$TEST_DIR/cache" "$at, then the next run"
  expect_equal "$(records_in cache)/$(profiles_in cache)" "$KILLAT_WANT" \
    "$at, then the next run: records/profiles"
  if ((tmp)); then
    find cache -name '.tmp-*' -exec touch -d '2 hours ago' {} +
    run "$PGO_GO_BIN" cache clean --older-than 30d
    expect_exit 0
    expect_cache_consistent "$TEST_DIR/cache" "$at, then cache clean"
  fi
}

# ---------------------------------------------------------------- 5. fidelity

# name | directory (a setup below) | environment | go arguments
FIDELITY=(
  'syntax error|syntax|-|build'
  'type error|typeerr|-|build'
  'unused variable|unused|-|build'
  'missing package dir|ok|-|build ./nothere'
  'unknown import path|unkimport|-|build'
  'import cycle|cycle|-|build ./a'
  'bad flag value -p abc|ok|-|build -p abc'
  'unknown flag|ok|-|build -bogus'
  '-buildmode=bogus|ok|-|build -buildmode=bogus'
  'link error (undefined linkname)|linkerr|-|build'
  'missing function body|nobody|-|build'
  'no main module|nomod|-|build ./...'
  'go.mod syntax error|badmod|-|build'
  'unknown GOOS|ok|GOOS=bogus|build'
  'test-only package|testonly|-|build'
  'invalid -ldflags|ok|-|build -ldflags=-X'
  'missing file argument|ok|-|build nothere.go'
  '-o under a regular file|ok|-|build -o main.go/sub/x'
  'build constraints exclude all files|cgoonly|CGO_ENABLED=0|build'
  'bad -gcflags|ok|-|build -gcflags=-bogus'
  'killed by SIGTERM|ok|SIG=TERM|build -a -o out'
  'killed by SIGKILL|ok|SIG=KILL|build -a -o out'
)

fidelity_dirs() {
  local d
  for d in ok syntax typeerr unused unkimport cycle linkerr nobody badmod testonly cgoonly; do
    mkdir -p "fid/$d"
    printf 'module example.com/%s\n\ngo 1.26\n' "$d" >"fid/$d/go.mod"
    printf 'package main\n\nfunc main() {}\n' >"fid/$d/main.go"
  done
  printf 'package main\n\nfunc main() {\n' >fid/syntax/main.go
  printf 'package main\n\nvar x int = "s"\n\nfunc main() { _ = x }\n' >fid/typeerr/main.go
  printf 'package main\n\nfunc main() { x := 1 }\n' >fid/unused/main.go
  printf 'package main\n\nimport _ "example.com/nothere/pkg"\n\nfunc main() {}\n' >fid/unkimport/main.go
  mkdir -p fid/cycle/a fid/cycle/b
  printf 'package a\n\nimport _ "example.com/cycle/b"\n' >fid/cycle/a/a.go
  printf 'package b\n\nimport _ "example.com/cycle/a"\n' >fid/cycle/b/b.go
  printf 'package main\n\nimport _ "unsafe"\n\n//go:linkname nothere example.com/linkerr/other.nothere\nfunc nothere()\n\nfunc main() { nothere() }\n' >fid/linkerr/main.go
  printf 'package main\n\nfunc f()\n\nfunc main() { f() }\n' >fid/nobody/main.go
  printf 'module example.com/badmod\n\ngo 1.26\nthis is not a directive (\n' >fid/badmod/go.mod
  rm fid/testonly/main.go
  printf 'package main\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n' >fid/testonly/x_test.go
  printf 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n' >fid/cgoonly/main.go
  mkdir -p fid/nomod
  printf 'package main\n\nfunc main() {}\n' >fid/nomod/main.go
}

# fid_run WHICH DIR ENV ARGS: the real go (WHICH=go) or the shim (WHICH=shim)
# into $TEST_DIR/fid-WHICH.{out,err,status}.
fid_run() {
  local which=$1 dir=$2 env=$3 args=$4 sig="" path=$SUITE_PATH cmd
  [[ $env == SIG=* ]] && sig=${env#SIG=} && env=-
  [[ $which == shim ]] && path=$SUITE_TMP/shim:$SUITE_PATH
  cmd=$([[ $which == shim ]] && echo go || echo "$REAL_GO")
  rm -rf "$TEST_DIR/fid/$dir/out"
  cd "$TEST_DIR/fid/$dir" || return
  # shellcheck disable=SC2086
  if [[ -n $sig ]]; then
    # -a rebuilds everything (seconds): the signal lands mid-build.
    # (the group keeps bash's "Killed" notice out of the log)
    { env PATH="$path" timeout --preserve-status -s "$sig" 0.5 $cmd $args \
      >"$TEST_DIR/fid-$which.out" 2>"$TEST_DIR/fid-$which.err" </dev/null; } 2>/dev/null
  elif [[ $env == - ]]; then
    env PATH="$path" timeout 60 $cmd $args >"$TEST_DIR/fid-$which.out" 2>"$TEST_DIR/fid-$which.err" </dev/null
  else
    env PATH="$path" $env timeout 60 $cmd $args >"$TEST_DIR/fid-$which.out" 2>"$TEST_DIR/fid-$which.err" </dev/null
  fi
  echo $? >"$TEST_DIR/fid-$which.status"
  cd "$TEST_DIR" || return
}

FID_TABLE=()

# ---------------------------------------------------------------- tests

SUITE_reliability() {
  local t_suite0=$SECONDS

  TEST "fault table: every misbehaviour x every policy x cold/cached cache"
  rel_app rel
  local entry name fields why saves p policy penv cached
  for entry in "${FAULTS[@]}"; do
    IFS='|' read -r name fields why saves <<<"$entry"
    for p in "${POLICIES[@]}"; do
      IFS='|' read -r policy penv <<<"$p"
      for cached in 0 1; do
        fault_case "$name" "$fields" "$why" "$saves" "$policy" "$penv" "$cached"
      done
    done
  done
  set_fault ""

  TEST "crash safety: SIGKILL at random points of fetches and builds, then a consistent cache"
  rel_app crash
  set_fault '"kind":"delay","delay_ms":120'
  local i pid kills=0 ms early=0
  RANDOM=42 # the same kill points every run
  for i in $(seq 30); do
    ms=$((RANDOM % 301))
    # a fetch (--force) waits 120 ms for the server: before 100 ms it is running
    ((i % 2 && ms < 100)) && early=$((early + 1))
    if ((i % 2)); then
      PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL setsid "$PGO_GO_BIN" fetch --service crash --force \
        -o "$TEST_DIR/f.pgo" >/dev/null 2>&1 &
    else
      (cd app && PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL PATH="$SUITE_TMP/shim:$SUITE_PATH" \
        exec setsid go build -o out) >/dev/null 2>&1 &
    fi
    pid=$!
    sleep "$(printf '0.%03d' "$ms")"
    kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null
    # The run leads a process group of its own (setsid), so what the shim
    # started (go and its tools) is killed too, not left running beside
    # the next turns.
    kill -KILL -- "-$pid" 2>/dev/null
    ALLOW_TMP=1 expect_cache_consistent "$TEST_DIR/cache"
    # the next run after each kill either way succeeds, and still agrees
    if ((i % 10 == 0)); then
      PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL run "$PGO_GO_BIN" fetch --service crash -o next.pgo
      expect_exit 0
      expect_no_crash
      expect_cache_consistent_profile next.pgo
    fi
  done
  CRASH_KILLS=$kills
  ((kills >= early)) || test_failed "only $kills runs were killed while running; $early fetches were killed within 100 ms"
  # Leftover temporary files are documented: `cache clean` removes them
  # once an hour old (cache_clean.c); nothing else may be left.
  CRASH_TMP=$(find cache -name '.tmp-*' | wc -l)
  find cache -name '.tmp-*' -exec touch -d '2 hours ago' {} +
  run "$PGO_GO_BIN" cache clean --older-than 30d
  expect_exit 0
  [[ -z $(find cache -name '.tmp-*') ]] || test_failed "cache clean left temporary files"
  expect_cache_consistent "$TEST_DIR/cache"
  set_fault ""
  PGO_GO_URL=$URL PGO_GO_VERIFY=strict shim_build -o final
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_file_exists app/final

  TEST "crash safety: SIGKILL before and after every step that changes the cache"
  rel_app rel
  set_fault ""
  local t_killat=$SECONDS what step when
  if [[ -z $KILLAT_SO ]]; then
    test_failed "$KILLAT_ERROR"
  else
    for what in fetch build; do
      killat_count "$what"
      for ((step = 1; step <= ${KILLAT_STEPS[$what]}; step++)); do
        for when in before after; do
          killat_step "$what" "$step" "$when"
        done
      done
    done
  fi
  KILLAT_SECS=$((SECONDS - t_killat))
  ((CURRENT_FAILED)) && KILLAT_RESULT="FAILED (above)"

  TEST "read-only cache directory: the build runs, one warning"
  rel_app rel
  set_fault ""
  mkdir -p cache
  if ((EUID == 0)); then
    if mount -t tmpfs -o ro,size=64k tmpfs cache 2>/dev/null; then
      REL_MOUNTS+=("$TEST_DIR/cache")
    else
      echo "  (skipped: cannot mount a read-only tmpfs: not allowed here)"
      RO_RESULT=skipped
    fi
  else
    chmod a-w cache
  fi
  if [[ ${RO_RESULT:-} != skipped ]]; then
    PGO_GO_URL=$URL shim_build -o out
    expect_exit 0
    expect_line_count "$RUN_ERR" 1
    expect_line "$RUN_ERR" '^pgo-go: warning: '
    expect_file_exists app/out
    RO_RESULT="exit $RUN_STATUS, $(wc -l <"$RUN_ERR") warning line, ${RUN_MS} ms: $(cut -c1-110 "$RUN_ERR")"
    ((EUID == 0)) && umount cache
  fi

  TEST "full disk (a 64k tmpfs): the build runs, one warning, no partial file"
  rel_app rel
  set_fault ""
  mkdir -p cache
  if ((EUID == 0)) && mount -t tmpfs -o size=64k tmpfs cache 2>/dev/null; then
    REL_MOUNTS+=("$TEST_DIR/cache")
    mkdir -p cache/profiles cache/snapshots cache/locks cache/services
    dd if=/dev/zero of=cache/fill bs=1k 2>/dev/null
    PGO_GO_URL=$URL shim_build -o out
    expect_exit 0
    expect_line_count "$RUN_ERR" 1
    expect_line "$RUN_ERR" '^pgo-go: warning: '
    expect_file_exists app/out
    rm -f cache/fill
    expect_cache_consistent "$TEST_DIR/cache"
    FULL_RESULT="exit $RUN_STATUS, $(wc -l <"$RUN_ERR") warning line, ${RUN_MS} ms: $(cut -c1-110 "$RUN_ERR")"
    umount cache
  else
    echo "  (skipped: cannot mount a tmpfs: not root, or not allowed here)"
    FULL_RESULT=skipped
  fi

  TEST "16 builds at once on a cold cache: one fetch, all verified; warm: none"
  rel_app rel
  set_fault '"kind":"delay","delay_ms":300'
  local pids=() t0
  concurrent_builds() { # PREFIX SERVICE…
    local prefix=$1 svc n=0
    shift
    pids=()
    t0=$(date +%s%N)
    for i in $(seq 16); do
      svc=${*:$(((i - 1) % $# + 1)):1}
      mkdir -p "c$i"
      write_module "c$i" "$svc"
      (cd "c$i" && PGO_GO_TEST_NOW=$SUITE_NOW PGO_GO_URL=$URL PGO_GO_VERIFY=strict \
        PATH="$SUITE_TMP/shim:$SUITE_PATH" exec go build -o "$prefix") >"c$i/$prefix.log" 2>&1 &
      pids+=($!)
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || n=$((n + 1)); done
    CONC_MS=$((($(date +%s%N) - t0) / 1000000))
    BUILDS=$((BUILDS + 16))
    ((n == 0)) || test_failed "$n of 16 concurrent builds failed:" "$(cat c*/"$prefix".log | head -20)"
    for i in $(seq 16); do
      [[ -s c$i/$prefix.log ]] && test_failed "build $i printed:" "$(head -5 "c$i/$prefix.log")"
      run "$PGO_GO_BIN" verify "c$i/$prefix"
      expect_exit 0
    done
  }
  concurrent_builds cold rel
  expect_equal "$(requests SelectMergeProfile)" 1 "SelectMergeProfile requests for 16 cold builds"
  CONC_COLD="16 builds, $(requests SelectMergeProfile) request, ${CONC_MS} ms"
  ctl POST reset
  concurrent_builds warm rel
  expect_equal "$(requests SelectMergeProfile)" 0 "SelectMergeProfile requests for 16 warm builds"
  CONC_WARM="16 builds, $(requests SelectMergeProfile) requests, ${CONC_MS} ms"
  rm -rf cache
  set_fault '"kind":"delay","delay_ms":300'
  rm -rf c*/
  concurrent_builds two rel rel2
  expect_equal "$(requests SelectMergeProfile)" 2 "SelectMergeProfile requests for two services"
  expect_equal "$(find cache/snapshots -name '*.json' | wc -l)" 2 "snapshot records for two services"
  expect_cache_consistent "$TEST_DIR/cache"
  CONC_TWO="16 builds (8 rel + 8 rel2), $(requests SelectMergeProfile) requests, ${CONC_MS} ms"
  set_fault ""

  TEST "exit-code fidelity: twenty ways go fails, the shim's status, stdout, stderr equal go's"
  fidelity_dirs
  export GOFLAGS=-modcacherw PGO_GO_PROFILE=$SEED_PROFILE PGO_GO_CACHE_DIR=$TEST_DIR/cache
  local case dir env args gs ss eq
  for entry in "${FIDELITY[@]}"; do
    IFS='|' read -r case dir env args <<<"$entry"
    fid_run go "$dir" "$env" "$args"
    fid_run shim "$dir" "$env" "$args"
    gs=$(cat fid-go.status) ss=$(cat fid-shim.status) eq=yes
    # The only normalisation: go names its temporary work directory
    # ($WORK, /tmp/go-build…) differently every run.
    # shellcheck disable=SC2016 # $WORK itself, as go names it
    sed -i -E 's#/tmp/go-build[0-9]+#$WORK#g' fid-go.err fid-shim.err
    # A signal sent to the group races inside go itself: whether a
    # compile it started dies (and go prints "pkg: …/compile: signal:
    # terminated") before go does. Those lines come and go between two
    # runs of go alone; everything else must still match.
    [[ $env == SIG=* ]] && sed -i -E '/: signal: (terminated|killed)$/d' fid-go.err fid-shim.err
    if [[ $gs != "$ss" ]]; then
      test_failed "$case: the shim exits $ss, go exits $gs"
      eq=no
    fi
    if ((gs == 0)); then
      test_failed "$case: go succeeded; not a failure case ($args)"
      eq=no
    fi
    if ! cmp -s fid-go.out fid-shim.out; then
      test_failed "$case: stdout differs (- go, + shim)"
      _show_diff go fid-go.out shim fid-shim.out
      eq=no
    fi
    if ! cmp -s fid-go.err fid-shim.err; then
      test_failed "$case: stderr differs (- go, + shim)"
      _show_diff go fid-go.err shim fid-shim.err
      eq=no
    fi
    grep -aqE 'AddressSanitizer|runtime error:' fid-shim.err && test_failed "$case: sanitizer report"
    FID_TABLE+=("$(printf '  %-38s %6s %6s  %s' "$case" "$gs" "$ss" "$eq")")
  done

  _end_test
  rel_summary $((SECONDS - t_suite0))
}

# expect_cache_consistent_profile FILE: FILE is the profile the cache names.
expect_cache_consistent_profile() {
  local sha
  sha=$(sha256sum "$1" | cut -d' ' -f1)
  [[ -f cache/profiles/$sha.pgo ]] || test_failed "the fetched profile is not in the cache"
}

rel_summary() {
  local name entry
  echo
  echo "---- reliability summary ----"
  echo "faults tried: ${#FAULTS[@]}; policies: default, PGO_GO_REQUIRE=1, PGO_GO_OFFLINE=1, each with a cold cache and with a snapshot of an earlier hour"
  echo "fault-table builds: $FAULT_CASES (PGO_GO_TIMEOUT=2s, PGO_GO_CONNECT_TIMEOUT=1s, PGO_GO_RETRIES=1; bound ${FAULT_BOUND_MS} ms)"
  echo "builds run through the shim: $BUILDS (+ $((${#FIDELITY[@]} * 2)) fidelity runs)"
  echo "max wall time per fault (ms):"
  for entry in "${FAULTS[@]}"; do
    name=${entry%%|*}
    printf '  %-22s %6s\n' "$name" "${FAULT_MAX_MS[$name]:-?}"
  done
  echo "crash safety: 30 runs (fetch/build alternately) SIGKILLed after 0-300 ms against a 120 ms slow server, $CRASH_KILLS killed while running; ${CRASH_TMP} temporary files left (removed by cache clean); cache consistent after every kill"
  echo "crash safety, every step: SIGKILL before and after each step that changes the cache: ${KILLAT_STEPS[fetch]:-?} of \`pgo-go fetch\` on a cold cache, ${KILLAT_STEPS[build]:-?} of a shim build on the seed cache; $KILLAT_KILLS kills, leaving ${KILLAT_NEXT[fetch]:-?} + ${KILLAT_NEXT[build]:-?} different caches; $KILLAT_TMP temporary files left (removed by cache clean); ${KILLAT_SECS:-?}s: ${KILLAT_RESULT:-cache consistent after every kill, the next run succeeded on every cache left}"
  echo "read-only cache: ${RO_RESULT:-not run}"
  echo "full disk: ${FULL_RESULT:-not run}"
  echo "concurrency, cold cache: ${CONC_COLD:-not run}"
  echo "concurrency, warm cache: ${CONC_WARM:-not run}"
  echo "concurrency, two services: ${CONC_TWO:-not run}"
  echo "exit-code fidelity (stdout and stderr compared byte for byte; /tmp/go-buildNNN -> \$WORK; signal cases: go's racy 'signal: terminated' lines of its tools dropped):"
  printf '  %-38s %6s %6s  %s\n' case go shim equal
  printf '%s\n' "${FID_TABLE[@]}"
  echo "suite time: ${1}s"
  echo "-----------------------------"
}
