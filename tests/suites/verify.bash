# `pgo-go verify [-json] [--profile FILE] BINARY…`: exit 0 only if every
# binary records a -pgo build setting (with --profile: naming that file, or
# only its name for a -trimpath build); one line per binary on stdout,
# `FILE: ` then one of
#   verified (-pgo=VALUE)
#   no PGO: built without -pgo
#   profile mismatch: -pgo=VALUE, expected PATH
#   not a Go binary: REASON
#   unreadable: REASON
# exit 1 if any binary is not verified, 2 for usage errors (one line
# `pgo-go: …` on stderr). -json prints an array of objects
# {"file","status","pgo" (when recorded),"go_version","message"}.

SUITE_verify_PROBE() {
  command -v python3 >/dev/null || echo "python3 is needed to check the -json output"
}

SUITE_verify_SETUP() {
  PROFILE=$FIXTURES/cpu.pprof
  PGO_BINS=(
    "$FIXTURES/bin/linux-amd64/app-pgo"
    "$FIXTURES/bin/darwin-arm64/app-pgo"
    "$FIXTURES/bin/windows-amd64/app-pgo.exe"
  )
  TRIMPATH_PGO_BINS=(
    "$FIXTURES/bin/linux-amd64/app-pgo-trimpath"
    "$FIXTURES/bin/darwin-arm64/app-pgo-trimpath"
    "$FIXTURES/bin/windows-amd64/app-pgo-trimpath.exe"
  )
  NO_PGO_BINS=(
    "$FIXTURES/bin/linux-amd64/app"
    "$FIXTURES/bin/linux-amd64/app-trimpath"
    "$FIXTURES/bin/darwin-arm64/app-ldflags"
    "$FIXTURES/bin/windows-386/app.exe"
    "$FIXTURES/bin/linux-amd64/libapp.so"
    "$FIXTURES/bin/fat/app-universal"
    "$FIXTURES/old/elf64-le"
  )
}

# expect_verify_json FILE SPEC…: FILE is a JSON array with one object per
# SPEC "file|status|pgo|go_version", in order; pgo "-" means the key must be
# absent, go_version "*" means not checked. Every object carries a string
# "message".
expect_verify_json() {
  local json=$1
  shift
  local problems
  problems=$(python3 - "$json" "$@" <<'EOF'
import json, sys

path, specs = sys.argv[1], [s.split("|") for s in sys.argv[2:]]
try:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
except Exception as e:  # not JSON at all
    print(f"stdout is not JSON: {e}")
    sys.exit(0)
if not isinstance(data, list):
    print(f"stdout is a JSON {type(data).__name__}, not an array")
    sys.exit(0)
if len(data) != len(specs):
    print(f"{len(data)} objects, expected {len(specs)}")
for i, (obj, (file, status, pgo, gover)) in enumerate(zip(data, specs)):
    where = f"object {i} ({file})"
    if not isinstance(obj, dict):
        print(f"{where}: not an object: {obj!r}")
        continue
    if obj.get("file") != file:
        print(f"{where}: file is {obj.get('file')!r}")
    if obj.get("status") != status:
        print(f"{where}: status is {obj.get('status')!r}, expected {status!r}")
    if pgo == "-":
        if "pgo" in obj:
            print(f"{where}: has pgo {obj['pgo']!r}, expected none")
    elif obj.get("pgo") != pgo:
        print(f"{where}: pgo is {obj.get('pgo')!r}, expected {pgo!r}")
    if gover != "*" and obj.get("go_version") != gover:
        print(f"{where}: go_version is {obj.get('go_version')!r}, expected {gover!r}")
    if not isinstance(obj.get("message"), str):
        print(f"{where}: no string \"message\" (keys: {sorted(obj)})")
EOF
  )
  if [[ -n $problems ]]; then
    test_failed "-json output of $RUN_CMD:" "$problems" "stdout was:" "$(head -c 1500 "$json")"
  fi
}

# expect_usage_error: exit 2, nothing on stdout, one `pgo-go: ` line on stderr.
expect_usage_error() {
  expect_exit 2
  expect_empty "$RUN_OUT"
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" '^pgo-go: .'
}

SUITE_verify() {
  local f

  TEST "binaries built with -pgo are verified"
  for f in "${PGO_BINS[@]}"; do
    pgo_go verify "$f"
    expect_exit 0
    expect_stdout "$f: verified (-pgo=$PROFILE)"
    expect_empty "$RUN_ERR"
  done

  TEST "-pgo with -trimpath records the profile's file name only"
  for f in "${TRIMPATH_PGO_BINS[@]}"; do
    pgo_go verify "$f"
    expect_exit 0
    expect_stdout "$f: verified (-pgo=cpu.pprof)"
  done

  TEST "several verified binaries: one line each, in order, exit 0"
  pgo_go verify "${PGO_BINS[@]}" "${TRIMPATH_PGO_BINS[@]}"
  expect_exit 0
  expect_stdout "$(for f in "${PGO_BINS[@]}"; do echo "$f: verified (-pgo=$PROFILE)"; done
    for f in "${TRIMPATH_PGO_BINS[@]}"; do echo "$f: verified (-pgo=cpu.pprof)"; done)"

  TEST "file names are printed as given"
  cp "${PGO_BINS[0]}" "my app"
  mkdir sub
  cp "${PGO_BINS[0]}" sub/app
  pgo_go verify "my app" ./sub/app sub/../sub/app
  expect_exit 0
  expect_stdout "my app: verified (-pgo=$PROFILE)
./sub/app: verified (-pgo=$PROFILE)
sub/../sub/app: verified (-pgo=$PROFILE)"

  TEST "--profile naming the profile used"
  for f in "${PGO_BINS[@]}"; do
    pgo_go verify --profile "$PROFILE" "$f"
    expect_exit 0
    expect_stdout "$f: verified (-pgo=$PROFILE)"
  done
  for f in "${TRIMPATH_PGO_BINS[@]}"; do
    pgo_go verify --profile "$PROFILE" "$f"
    expect_exit 0
    expect_stdout "$f: verified (-pgo=cpu.pprof)"
  done

  TEST "--profile given as a relative path"
  cd "$FIXTURES"
  pgo_go verify --profile cpu.pprof bin/linux-amd64/app-pgo
  expect_exit 0
  expect_stdout "bin/linux-amd64/app-pgo: verified (-pgo=$PROFILE)"
  pgo_go verify --profile ./src/../cpu.pprof bin/linux-amd64/app-pgo
  expect_exit 0
  expect_stdout "bin/linux-amd64/app-pgo: verified (-pgo=$PROFILE)"
  cd "$TEST_DIR"

  TEST "--profile naming another file: mismatch"
  printf 'not this one\n' >other.pprof
  cp "$PROFILE" cpu.pprof
  for f in "${PGO_BINS[@]}"; do
    pgo_go verify --profile "$TEST_DIR/other.pprof" "$f"
    expect_exit 1
    expect_stdout "$f: profile mismatch: -pgo=$PROFILE, expected $TEST_DIR/other.pprof"
    # Another file with the same bytes is the same profile (files compare
    # by identity or content, not by spelling).
    pgo_go verify --profile "$TEST_DIR/cpu.pprof" "$f"
    expect_exit 0
    expect_stdout "$f: verified (-pgo=$PROFILE)"
  done

  TEST "--profile and -trimpath: only the file name is compared"
  mkdir -p elsewhere
  for f in "${TRIMPATH_PGO_BINS[@]}"; do
    pgo_go verify --profile "$TEST_DIR/elsewhere/cpu.pprof" "$f"
    expect_exit 0
    expect_stdout "$f: verified (-pgo=cpu.pprof)"
    pgo_go verify --profile "$TEST_DIR/elsewhere/other.pprof" "$f"
    expect_exit 1
    expect_stdout "$f: profile mismatch: -pgo=cpu.pprof, expected $TEST_DIR/elsewhere/other.pprof"
  done

  TEST "a -pgo path with spaces is reported unquoted"
  f=$FIXTURES/crafted/pgo-space
  pgo_go verify "$f"
  expect_exit 0
  expect_stdout "$f: verified (-pgo=/tmp/dir with space/my profile.pprof)"
  pgo_go verify --profile "/tmp/dir with space/my profile.pprof" "$f"
  expect_exit 0
  expect_stdout "$f: verified (-pgo=/tmp/dir with space/my profile.pprof)"
  pgo_go verify --profile "/tmp/dir with space/my.pprof" "$f"
  expect_exit 1
  expect_stdout "$f: profile mismatch: -pgo=/tmp/dir with space/my profile.pprof, expected /tmp/dir with space/my.pprof"

  TEST "binaries built without -pgo"
  for f in "${NO_PGO_BINS[@]}"; do
    pgo_go verify "$f"
    expect_exit 1
    expect_stdout "$f: no PGO: built without -pgo"
    # --profile does not turn a missing setting into a mismatch.
    pgo_go verify --profile "$PROFILE" "$f"
    expect_exit 1
    expect_stdout "$f: no PGO: built without -pgo"
  done

  TEST "a missing file is unreadable"
  pgo_go verify nosuch
  expect_exit 1
  expect_line_count "$RUN_OUT" 1
  expect_line "$RUN_OUT" '^nosuch: unreadable: .'
  pgo_go verify "$TEST_DIR/no/such/file"
  expect_exit 1
  expect_line "$RUN_OUT" "^$TEST_DIR/no/such/file: unreadable: ."

  TEST "files that are not Go binaries"
  printf 'hello\n' >notes.txt
  printf '#!/bin/sh\necho hi\n' >script.sh
  chmod +x script.sh
  cp /bin/true true
  : >empty
  for f in notes.txt script.sh empty; do
    pgo_go verify "$f"
    expect_exit 1
    expect_line_count "$RUN_OUT" 1
    expect_line "$RUN_OUT" "^$f: not a Go binary: .*unrecognized file format"
  done
  pgo_go verify true
  expect_exit 1
  expect_stdout "true: not a Go binary: not a Go executable"
  pgo_go verify --profile "$PROFILE" notes.txt
  expect_exit 1
  expect_line "$RUN_OUT" '^notes.txt: not a Go binary: '

  TEST "a mixed list: every binary reported, in order, exit 1"
  printf 'hello\n' >notes.txt
  local pgo=${PGO_BINS[0]} trim=${TRIMPATH_PGO_BINS[2]} plain=${NO_PGO_BINS[0]}
  pgo_go verify "$pgo" "$plain" missing notes.txt "$trim"
  expect_exit 1
  expect_line_count "$RUN_OUT" 5
  expect_stdout_line 1 "$pgo: verified (-pgo=$PROFILE)"
  expect_stdout_line 2 "$plain: no PGO: built without -pgo"
  expect_stdout_prefix 3 "missing: unreadable: "
  expect_stdout_prefix 4 "notes.txt: not a Go binary: "
  expect_stdout_line 5 "$trim: verified (-pgo=cpu.pprof)"
  # One bad binary anywhere in the list is enough.
  pgo_go verify "$pgo" "$trim" "$plain"
  expect_exit 1
  pgo_go verify "$plain" "$pgo" "$trim"
  expect_exit 1
  pgo_go verify --profile "$TEST_DIR/notes.txt" "$pgo" "$trim"
  expect_exit 1
  expect_stdout_line 1 "$pgo: profile mismatch: -pgo=$PROFILE, expected $TEST_DIR/notes.txt"
  expect_stdout_line 2 "$trim: profile mismatch: -pgo=cpu.pprof, expected $TEST_DIR/notes.txt"

  TEST "a directory: Go binaries only, sorted by name at every level, whatever the creation order"
  mkdir -p tree/z tree/a
  # Created in an order readdir would echo on many file systems.
  cp "${NO_PGO_BINS[0]}" tree/z/zz
  cp "${PGO_BINS[0]}" tree/z/b
  cp "${PGO_BINS[1]}" tree/a/y
  cp "${PGO_BINS[2]}" tree/c.exe
  cp "${PGO_BINS[0]}" tree/B
  printf 'hello\n' >tree/notes.txt
  ln -s z/b tree/link
  pgo_go verify tree
  expect_exit 1
  expect_line_count "$RUN_OUT" 5
  expect_stdout_line 1 "tree/B: verified (-pgo=$PROFILE)"
  expect_stdout_line 2 "tree/a/y: verified (-pgo=$PROFILE)"
  expect_stdout_line 3 "tree/c.exe: verified (-pgo=$PROFILE)"
  expect_stdout_line 4 "tree/z/b: verified (-pgo=$PROFILE)"
  expect_stdout_line 5 "tree/z/zz: no PGO: built without -pgo"
  local first=$RUN_OUT
  pgo_go verify tree
  expect_equal_content "$RUN_OUT" "$first" "a second run"
  rm tree/z/zz
  pgo_go verify tree
  expect_exit 0
  mkdir empty
  pgo_go verify empty
  expect_exit 1
  expect_stdout "empty: not a Go binary: the directory holds no Go binaries"

  TEST "-json: one object per binary"
  printf 'hello\n' >notes.txt
  local pgo=${PGO_BINS[0]} trim=${TRIMPATH_PGO_BINS[1]} plain=${NO_PGO_BINS[0]} old=$FIXTURES/old/elf64-le
  pgo_go verify -json "$pgo" "$trim" "$plain" "$old" missing notes.txt
  expect_exit 1
  expect_verify_json "$RUN_OUT" \
    "$pgo|verified|$PROFILE|go1.26.8" \
    "$trim|verified|cpu.pprof|go1.26.8" \
    "$plain|no-pgo|-|go1.26.8" \
    "$old|no-pgo|-|go1.17.13" \
    "missing|unreadable|-|*" \
    "notes.txt|not-go|-|*"

  TEST "-json: all verified exits 0"
  pgo_go verify -json "${PGO_BINS[@]}"
  expect_exit 0
  expect_verify_json "$RUN_OUT" \
    "${PGO_BINS[0]}|verified|$PROFILE|go1.26.8" \
    "${PGO_BINS[1]}|verified|$PROFILE|go1.26.8" \
    "${PGO_BINS[2]}|verified|$PROFILE|go1.26.8"

  TEST "-json with --profile: mismatch"
  pgo_go verify -json --profile "$TEST_DIR/other.pprof" "${PGO_BINS[0]}" "${TRIMPATH_PGO_BINS[0]}"
  expect_exit 1
  expect_verify_json "$RUN_OUT" \
    "${PGO_BINS[0]}|mismatch|$PROFILE|go1.26.8" \
    "${TRIMPATH_PGO_BINS[0]}|mismatch|cpu.pprof|go1.26.8"
  pgo_go verify --profile "$PROFILE" -json "${PGO_BINS[0]}"
  expect_exit 0
  expect_verify_json "$RUN_OUT" "${PGO_BINS[0]}|verified|$PROFILE|go1.26.8"

  TEST "-json escapes what it must"
  cp "${PGO_BINS[0]}" 'we"ird\name'
  pgo_go verify -json 'we"ird\name' "$FIXTURES/crafted/pgo-space"
  expect_exit 0
  expect_verify_json "$RUN_OUT" \
    'we"ird\name|verified|'"$PROFILE"'|go1.26.8' \
    "$FIXTURES/crafted/pgo-space|verified|/tmp/dir with space/my profile.pprof|go1.26.8"

  TEST "usage error: no binaries"
  pgo_go verify
  expect_usage_error
  pgo_go verify -json
  expect_usage_error
  pgo_go verify --profile "$PROFILE"
  expect_usage_error

  TEST "usage error: unknown flag"
  pgo_go verify -x "${PGO_BINS[0]}"
  expect_usage_error
  pgo_go verify --bogus "${PGO_BINS[0]}"
  expect_usage_error

  TEST "usage error: --profile without its value"
  pgo_go verify --profile
  expect_usage_error
}

# expect_stdout_line N TEXT: line N of the last run's stdout is TEXT.
expect_stdout_line() {
  local line
  line=$(sed -n "$1p" "$RUN_OUT")
  expect_equal "$line" "$2" "stdout line $1 of $RUN_CMD"
}

# expect_stdout_prefix N TEXT: line N of the last run's stdout starts with
# TEXT and goes on.
expect_stdout_prefix() {
  local line
  line=$(sed -n "$1p" "$RUN_OUT")
  if [[ $line != "$2"?* ]]; then
    test_failed "stdout line $1 of $RUN_CMD is $(printf '%q' "$line"), expected $(printf '%q' "$2")…"
  fi
}
