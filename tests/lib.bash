# Helpers for the integration suites (sourced by tests/run-suite.bash).
#
# A suite file tests/suites/NAME.bash defines
#   SUITE_NAME_PROBE   optional; prints a reason to skip the suite
#   SUITE_NAME_SETUP   optional; runs once, in the suite's temporary directory
#   SUITE_NAME         the tests: `TEST "description"` starts a test, the
#                      expect_* helpers below check it
# Every test starts in a fresh directory with a clean environment. A failed
# expectation prints the test's name and what differed, marks the test
# failed and lets it go on, so one run shows every difference.
#
# The driver gets from ctest:
#   PGO_GO_BIN        the pgo-go executable under test
#   PGO_GO_FIXTURES   the output of tests/fixtures/build.sh
#   PGO_GO_SRC        the source tree
# and, to run every pgo-go under valgrind (see "memcheck" below):
#   PGO_GO_MEMCHECK   1: memcheck mode

# ---------------------------------------------------------------- state

PASSED=0
FAILED=0
FAILED_NAMES=()
CURRENT_TEST=""
CURRENT_FAILED=0
TEST_NUMBER=0
RUN_NUMBER=0

# ---------------------------------------------------------------- output

# A difference is shown with tabs, carriage returns and non-ASCII bytes made
# visible (cat -A), since byte-exact output is what the suites check.
_visible() { LC_ALL=C cat -A -- "$1"; }

_show_diff() { # LABEL1 FILE1 LABEL2 FILE2
  local a b
  a=$(mktemp) b=$(mktemp)
  _visible "$2" >"$a"
  _visible "$4" >"$b"
  diff -u --label "$1" --label "$3" "$a" "$b" | head -n 80 | sed 's/^/    /'
  rm -f "$a" "$b"
}

# test_failed MESSAGE…: marks the current test failed and says why.
test_failed() {
  ((MEMCHECK_IGNORE)) && return 0
  if ((CURRENT_FAILED == 0)); then
    printf '\nFAILED: %s: %s\n' "$SUITE_NAME" "$CURRENT_TEST"
    printf '  test directory: %s\n' "$TEST_DIR"
  fi
  CURRENT_FAILED=1
  local msg
  for msg in "$@"; do
    printf '%s\n' "$msg" | sed 's/^/  /'
  done
}

# ---------------------------------------------------------------- environment

# Variables a test must not inherit: pgo-go's own settings (except the three
# the driver passes), profilecli's, and everything that changes what the go
# command does.
_reset_environment() {
  local v
  while IFS= read -r v; do
    case $v in
      PGO_GO_BIN | PGO_GO_FIXTURES | PGO_GO_SRC) ;;
      PGO_GO_* | PROFILECLI_* | GO* | CGO_* | CC | CXX | XDG_CONFIG_HOME | XDG_CACHE_HOME)
        unset "$v"
        ;;
    esac
  done < <(compgen -e)
  export PATH=$SUITE_PATH
  export HOME=$SUITE_HOME
  export GOCACHE=$SUITE_GOCACHE
  export GOTOOLCHAIN=local GOENV=off GOPROXY=off
  # Most suites build small programs with an unrelated fixture profile: the
  # fit is judged only where a suite asks for it (fit, fidelity).
  export PGO_GO_MIN_FIT=0
  # Each fetch takes the newest snapshot, one query: the hold, which walks
  # the snapshots since its start, is tested where a suite asks for it
  # (hold, demo).
  export PGO_GO_HOLD=0
  export XDG_CONFIG_HOME=$TEST_DIR/.config XDG_CACHE_HOME=$TEST_DIR/.cache
  export LC_ALL=C TZ=UTC
}

# ---------------------------------------------------------------- tests

TEST() {
  _end_test
  CURRENT_TEST=$1
  CURRENT_FAILED=0
  TEST_NUMBER=$((TEST_NUMBER + 1))
  RUN_NUMBER=0
  TEST_DIR=$SUITE_TMP/test-$TEST_NUMBER
  mkdir -p "$TEST_DIR"
  cd "$TEST_DIR" || exit 1
  _reset_environment
  _memcheck_begin_test
}

_end_test() {
  [[ -n $CURRENT_TEST ]] || return 0
  _memcheck_reports
  cd "$SUITE_TMP" || exit 1
  if ((CURRENT_FAILED)); then
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$CURRENT_TEST")
  elif ((MEMCHECK_IGNORE)); then
    MEMCHECK_HITS[MEMCHECK_RULE]=$((MEMCHECK_HITS[MEMCHECK_RULE] + 1))
    rm -rf "$TEST_DIR"
  else
    PASSED=$((PASSED + 1))
    rm -rf "$TEST_DIR"
  fi
  CURRENT_TEST=""
}

# ---------------------------------------------------------------- running

# Commands under test get this long before they count as hung.
TEST_TIMEOUT=${TEST_TIMEOUT:-60}

# run CMD…: runs CMD with a timeout, stdout and stderr to the files
# $RUN_OUT and $RUN_ERR, its exit status in $RUN_STATUS.
run() {
  RUN_NUMBER=$((RUN_NUMBER + 1))
  RUN_OUT=$TEST_DIR/run$RUN_NUMBER.out
  RUN_ERR=$TEST_DIR/run$RUN_NUMBER.err
  RUN_CMD=$(printf '%q ' "$@")
  if ((MEMCHECK_NORUN)); then
    _memcheck_norun
    return 0
  fi
  timeout -k 5 "$TEST_TIMEOUT" "$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
  RUN_STATUS=$?
  if ((RUN_STATUS == 124)); then
    test_failed "timed out after ${TEST_TIMEOUT}s: $RUN_CMD"
  fi
  return 0
}

# await_file FILE: waits up to 5 s for FILE to hold something (a server's
# address, say); fails if it does not.
await_file() {
  local _
  for _ in $(seq 100); do
    [[ -s $1 ]] && return 0
    sleep 0.05
  done
  return 1
}

# stop_processes PID…: the servers a suite started, ended and waited for.
stop_processes() {
  local pid
  for pid; do kill "$pid" 2>/dev/null; done
  for pid; do wait "$pid" 2>/dev/null; done
  return 0
}

# pgo_go ARGS…: run the pgo-go under test.
pgo_go() { run "$PGO_GO_BIN" "$@"; }

# real_go ARGS…: run the real go command.
real_go() { run "$REAL_GO" "$@"; }

# ---------------------------------------------------------------- the shim

# use_shim: a directory holding a `go` symlink to pgo-go, first on PATH.
use_shim() {
  mkdir -p "$TEST_DIR/shim"
  ln -sf "$PGO_GO_BIN" "$TEST_DIR/shim/go"
  export PATH=$TEST_DIR/shim:$SUITE_PATH
  export GOPATH=$TEST_DIR/gopath GOFLAGS=-modcacherw
}

# pgo_setting BINARY: the -pgo value the binary records (empty if none).
pgo_setting() {
  "$REAL_GO" version -m "$1" | awk -F'\t' '$2 == "build" && $3 ~ /^-pgo=/ { sub(/^-pgo=/, "", $3); print $3 }'
}

# expect_pgo BINARY VALUE: BINARY records -pgo=VALUE ("" for none).
expect_pgo() {
  if [[ ! -f $1 ]]; then
    test_failed "no binary $1"
    return
  fi
  expect_equal "$(pgo_setting "$1")" "$2" "-pgo recorded in $1"
}

# ---------------------------------------------------------------- expectations

# expect_exit STATUS: the last run exited with STATUS.
expect_exit() {
  if [[ $RUN_STATUS != "$1" ]]; then
    test_failed "exit status $RUN_STATUS, expected $1: $RUN_CMD" \
      "stderr: $(head -c 600 "$RUN_ERR")"
  fi
}

# expect_no_crash: the last run ended by itself, with no sanitizer report.
expect_no_crash() {
  if ((RUN_STATUS >= 128)); then
    test_failed "died with status $RUN_STATUS (signal $((RUN_STATUS - 128))): $RUN_CMD"
  fi
  if grep -aqE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer|runtime error:|SUMMARY: ' "$RUN_ERR"; then
    test_failed "sanitizer report: $RUN_CMD" "$(head -n 20 "$RUN_ERR")"
  fi
}

# expect_equal_content FILE EXPECTED_FILE [WHAT]
expect_equal_content() {
  if ! cmp -s -- "$1" "$2"; then
    test_failed "${3:-content} differs (- $2, + $1):"
    _show_diff "$2" "$2" "$1" "$1"
  fi
}

# expect_equal ACTUAL EXPECTED [WHAT]
expect_equal() {
  if [[ $1 != "$2" ]]; then
    test_failed "${3:-value} is $(printf '%q' "$1"), expected $(printf '%q' "$2")"
  fi
}

# expect_stdout TEXT / expect_stderr TEXT: the whole output of the last run,
# TEXT followed by a newline (or nothing when TEXT is empty).
expect_stdout() { _expect_text "$RUN_OUT" "$1" stdout; }
expect_stderr() { _expect_text "$RUN_ERR" "$1" stderr; }
_expect_text() {
  local want=$TEST_DIR/want.$RANDOM
  if [[ -n $2 ]]; then printf '%s\n' "$2" >"$want"; else : >"$want"; fi
  expect_equal_content "$1" "$want" "$3 of $RUN_CMD"
  rm -f "$want"
}

# expect_contains FILE STRING: FILE holds STRING (fixed string).
expect_contains() {
  if ! grep -aqF -- "$2" "$1"; then
    test_failed "$(basename "$1") lacks $(printf '%q' "$2"):" "$(head -c 800 "$1")"
  fi
}

# expect_not_contains FILE STRING
expect_not_contains() {
  if grep -aqF -- "$2" "$1"; then
    test_failed "$(basename "$1") contains $(printf '%q' "$2"):" "$(head -c 800 "$1")"
  fi
}

# expect_line FILE REGEX: some line of FILE matches the extended REGEX.
expect_line() {
  if ! grep -aqE -- "$2" "$1"; then
    test_failed "no line of $(basename "$1") matches /$2/:" "$(head -c 800 "$1")"
  fi
}

# expect_line_count FILE N
expect_line_count() {
  local n
  n=$(wc -l <"$1")
  if ((n != $2)); then
    test_failed "$(basename "$1") has $n lines, expected $2:" "$(head -c 800 "$1")"
  fi
}

expect_empty() {
  if [[ -s $1 ]]; then
    test_failed "$(basename "$1") is not empty:" "$(head -c 800 "$1")"
  fi
}

expect_file_exists() {
  [[ -e $1 ]] || test_failed "$1 does not exist"
}

expect_file_missing() {
  [[ ! -e $1 ]] || test_failed "$1 exists"
}

# ---------------------------------------------------------------- parity with go

# go's own flag-error messages name the go command; pgo-go names itself.
rename_go_messages() {
  sed -e "s/^go: /pgo-go: /" -e "s/^pgo-go: 'go version' /pgo-go: 'pgo-go version' /" \
    -e 's/^usage: go version /usage: pgo-go version /' \
    -e "s/^Run 'go help version' for details\.\$/Run 'pgo-go --help' for details./"
}

# expect_version_parity [--rename] ARGS…: `pgo-go version ARGS` prints
# exactly what `go version ARGS` prints, on stdout and stderr, and exits with
# the same status. With --rename, go's messages are first rewritten to name
# pgo-go (rename_go_messages).
expect_version_parity() {
  local rename=0
  if [[ $1 == --rename ]]; then
    rename=1
    shift
  fi
  real_go version "$@"
  local go_out=$RUN_OUT go_err=$RUN_ERR go_status=$RUN_STATUS
  if ((rename)); then
    rename_go_messages <"$go_err" >"$go_err.renamed"
    go_err=$go_err.renamed
  fi
  pgo_go version "$@"
  expect_no_crash
  local what
  what="pgo-go version $(printf '%q ' "$@")"
  if ! cmp -s "$RUN_OUT" "$go_out"; then
    test_failed "stdout differs from go's: $what (- go, + pgo-go)"
    _show_diff "go" "$go_out" "pgo-go" "$RUN_OUT"
  fi
  if ! cmp -s "$RUN_ERR" "$go_err"; then
    test_failed "stderr differs from go's: $what (- go, + pgo-go)"
    _show_diff "go" "$go_err" "pgo-go" "$RUN_ERR"
  fi
  if [[ $RUN_STATUS != "$go_status" ]]; then
    test_failed "exit status $RUN_STATUS, go exits $go_status: $what"
  fi
}

# ---------------------------------------------------------------- memcheck

# With PGO_GO_MEMCHECK=1, every pgo-go a suite runs, under whatever name it
# is linked or copied, runs under valgrind's memcheck: $PGO_GO_BIN becomes a
# script that runs the real one through tests/memcheck/wrapper.bash. Any
# report (an invalid read or write, a use of uninitialized memory, a definite
# or indirect leak) fails the test that ran that pgo-go and is shown with
# it. valgrind needs a build without sanitizers. Suppressions, each with its
# reason: tests/memcheck/valgrind.supp. tests/memcheck/skip lists, with the
# reasons, the tests not run under memcheck (other tests of the suite run
# the same code of pgo-go on the same inputs, and each pgo-go costs
# valgrind's start) and the tests run but not counted (their own
# expectations cannot hold under valgrind); the suite says how many.

MEMCHECK_DIR=""
MEMCHECK_IGNORE=0   # the current test's expectations are not counted
MEMCHECK_NORUN=0    # and run, pgo_go and real_go run nothing
MEMCHECK_RULES=()   # "KIND PATTERN" from tests/memcheck/skip, this suite's
MEMCHECK_HITS=()    # how many tests each rule matched
MEMCHECK_RULE=-1    # the rule matching the current test
MEMCHECK_RUNS=0     # pgo-go processes (forks included) valgrind checked

# _memcheck_prepare: the run's directory, the script that stands for
# pgo-go, this suite's rules; SETUP_ERROR when valgrind is missing.
_memcheck_prepare() {
  local valgrind
  valgrind=$(command -v valgrind) || {
    SETUP_ERROR="PGO_GO_MEMCHECK is set and there is no valgrind on PATH"
    return 1
  }
  MEMCHECK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pgo-go-memcheck-$SUITE_NAME.XXXXXX")
  mkdir "$MEMCHECK_DIR/bin" "$MEMCHECK_DIR/argv0" "$MEMCHECK_DIR/logs"
  # Absolute paths written in, not taken from the environment: tests clear
  # the environment, and copy this script elsewhere. (TESTS_DIR is set by
  # tests/run-suite.bash.)
  # shellcheck disable=SC2153
  {
    printf '#!%s\n' "$BASH"
    printf '# pgo-go under valgrind, for one suite run (tests/lib.bash).\n'
    printf 'MEMCHECK_REAL=%q\n' "$PGO_GO_BIN"
    printf 'MEMCHECK_DIR=%q\n' "$MEMCHECK_DIR"
    printf 'MEMCHECK_VALGRIND=%q\n' "$valgrind"
    printf 'MEMCHECK_SUPP=%q\n' "$TESTS_DIR/memcheck/valgrind.supp"
    printf 'source %q\n' "$TESTS_DIR/memcheck/wrapper.bash"
  } >"$MEMCHECK_DIR/bin/pgo-go"
  chmod 755 "$MEMCHECK_DIR/bin/pgo-go"
  PGO_GO_BIN=$MEMCHECK_DIR/bin/pgo-go

  local line re='^(skip|unchecked) ([a-z]+): (.+)$'
  while IFS= read -r line; do
    if [[ $line =~ $re && ${BASH_REMATCH[2]} == "$SUITE_NAME" ]]; then
      MEMCHECK_RULES+=("${BASH_REMATCH[1]} ${BASH_REMATCH[3]}")
      MEMCHECK_HITS+=(0)
    fi
  done <"$TESTS_DIR/memcheck/skip"
  return 0
}

# _memcheck_begin_test: whether a rule of tests/memcheck/skip (a glob on
# the test's name) skips the new test or leaves it unchecked.
_memcheck_begin_test() {
  MEMCHECK_IGNORE=0
  MEMCHECK_NORUN=0
  MEMCHECK_RULE=-1
  local i rule
  for i in "${!MEMCHECK_RULES[@]}"; do
    rule=${MEMCHECK_RULES[i]}
    # shellcheck disable=SC2053 # the pattern is a glob
    [[ $CURRENT_TEST == ${rule#* } ]] || continue
    MEMCHECK_IGNORE=1
    MEMCHECK_RULE=$i
    [[ ${rule%% *} == skip ]] && MEMCHECK_NORUN=1
    return 0
  done
}

# _memcheck_norun: stands for a command run by a skipped test: it ran and
# printed nothing.
_memcheck_norun() {
  : >"$RUN_OUT"
  : >"$RUN_ERR"
  RUN_STATUS=0
}

# _memcheck_reports: fails the current test for each report valgrind wrote
# since the last call. A log stays while its process runs (it may yet
# report); the others are removed.
_memcheck_reports() {
  [[ -n $MEMCHECK_DIR ]] || return 0
  local log pid
  for log in "$MEMCHECK_DIR"/logs/vg.*.log; do
    [[ -e $log ]] || continue
    pid=${log##*/vg.}
    pid=${pid%.log}
    kill -0 "$pid" 2>/dev/null && continue
    MEMCHECK_RUNS=$((MEMCHECK_RUNS + 1))
    if [[ -s $log ]]; then
      MEMCHECK_IGNORE=0
      test_failed "valgrind reported on pgo-go (process $pid):" "$(head -n 80 "$log")"
    fi
    rm -f "$log"
  done
}

# _memcheck_after_setup: reports on the pgo-go runs of the suite's setup
# count as one failed test, "setup".
_memcheck_after_setup() {
  [[ -n $MEMCHECK_DIR ]] || return 0
  CURRENT_TEST="setup (valgrind)"
  CURRENT_FAILED=0
  TEST_DIR=$SUITE_TMP
  _memcheck_reports
  if ((CURRENT_FAILED)); then
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$CURRENT_TEST")
  fi
  CURRENT_TEST=""
}

# _memcheck_summary: how many tests each rule of tests/memcheck/skip took
# out of the count; the run's directory is removed when no test failed.
_memcheck_summary() {
  [[ -n $MEMCHECK_DIR ]] || return 0
  local i total=0
  for i in "${!MEMCHECK_RULES[@]}"; do
    ((MEMCHECK_HITS[i])) || continue
    ((total)) || echo "Not counted under memcheck (tests/memcheck/skip says why):"
    printf '  %4d  %s %s: %s\n' "${MEMCHECK_HITS[i]}" "${MEMCHECK_RULES[i]%% *}" \
      "$SUITE_NAME" "${MEMCHECK_RULES[i]#* }"
    total=$((total + MEMCHECK_HITS[i]))
  done
  echo "memcheck: $MEMCHECK_RUNS pgo-go processes under valgrind; $total tests skipped under memcheck"
  ((FAILED)) || rm -rf "$MEMCHECK_DIR"
}

# ---------------------------------------------------------------- driver

# _suite_prepare: the environment every suite needs, checked once.
_suite_prepare() {
  SUITE_PATH=$PATH
  SUITE_HOME=${HOME:-/root}
  : "${PGO_GO_SRC:=$(cd "$TESTS_DIR/.." && pwd)}"
  export PGO_GO_SRC

  local go_on_path goroot
  go_on_path=$(command -v go) || {
    SKIP_REASON="no go command on PATH"
    return 0
  }
  # The real toolchain, even if a pgo-go shim named go is first on PATH.
  goroot=$(GOTOOLCHAIN=local GOENV=off "$go_on_path" env GOROOT) || {
    SKIP_REASON="'go env GOROOT' failed"
    return 0
  }
  REAL_GO=$goroot/bin/go
  REAL_GOROOT=$goroot
  SUITE_GOCACHE=${GOCACHE:-$(GOTOOLCHAIN=local "$REAL_GO" env GOCACHE)}
  # The suites' builds use an unrelated fixture profile: the fit is judged
  # only where a test asks for it (set again for each test, below), also
  # in a suite's setup. So is the hold.
  export PGO_GO_MIN_FIT=0 PGO_GO_HOLD=0

  if [[ -z ${PGO_GO_BIN:-} || ! -x $PGO_GO_BIN ]]; then
    SETUP_ERROR="PGO_GO_BIN is not an executable: '${PGO_GO_BIN:-}'"
    return 0
  fi
  PGO_GO_BIN=$(cd "$(dirname "$PGO_GO_BIN")" && pwd)/$(basename "$PGO_GO_BIN")
  export PGO_GO_BIN
  if [[ -z ${PGO_GO_FIXTURES:-} || ! -f $PGO_GO_FIXTURES/.stamp ]]; then
    SETUP_ERROR="PGO_GO_FIXTURES holds no built fixtures: '${PGO_GO_FIXTURES:-}' (run tests/fixtures/build.sh)"
    return 0
  fi
  PGO_GO_FIXTURES=$(cd "$PGO_GO_FIXTURES" && pwd)
  export PGO_GO_FIXTURES
  FIXTURES=$PGO_GO_FIXTURES
  if [[ ${PGO_GO_MEMCHECK:-0} != 0 ]]; then
    _memcheck_prepare
  fi
}

# run_suite NAME: probe, set up, run the tests, print the summary.
run_suite() {
  SUITE_NAME=$1
  SKIP_REASON=""
  SETUP_ERROR=""
  _suite_prepare

  local probe=SUITE_${SUITE_NAME}_PROBE setup=SUITE_${SUITE_NAME}_SETUP
  if [[ -z $SKIP_REASON && -z $SETUP_ERROR ]] && declare -F "$probe" >/dev/null; then
    SKIP_REASON=$("$probe")
  fi
  if [[ -n $SKIP_REASON ]]; then
    [[ -z $MEMCHECK_DIR ]] || rm -rf "$MEMCHECK_DIR"
    echo "Skipped suite $SUITE_NAME: $SKIP_REASON"
    echo "0 passed, 0 failed, 1 skipped"
    exit 77
  fi
  if [[ -n $SETUP_ERROR ]]; then
    echo "FAILED: suite $SUITE_NAME cannot run: $SETUP_ERROR"
    echo "0 passed, 1 failed"
    exit 1
  fi

  SUITE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgo-go-suite-$SUITE_NAME.XXXXXX")
  cd "$SUITE_TMP" || exit 1
  echo "Running suite $SUITE_NAME (pgo-go: $PGO_GO_BIN, go: $REAL_GO)"
  if declare -F "$setup" >/dev/null; then
    "$setup"
  fi
  _memcheck_after_setup
  "SUITE_$SUITE_NAME"
  _end_test

  echo
  if ((FAILED)); then
    echo "Failed tests in suite $SUITE_NAME:"
    printf '  %s\n' "${FAILED_NAMES[@]}"
    echo "Test directories are kept under $SUITE_TMP"
  else
    cd / && rm -rf "$SUITE_TMP"
  fi
  _memcheck_summary
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}
