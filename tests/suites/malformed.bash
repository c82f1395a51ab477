# Malformed inputs (tests/tools/mkbad, in $PGO_GO_FIXTURES/bad): truncated
# binaries, lying headers, offsets past the end, absurd lengths, files that
# are no object file at all. pgo-go must never crash on them (exit status
# below 128, no sanitizer report, no hang) and must say what `go version -m`
# says, unless the case is listed below as a known difference.

# Known, documented differences: file name → reason. For these only the
# no-crash rule is checked, and the differing output is shown as a note.
declare -A MALFORMED_KNOWN_DIFF=(
)

SUITE_malformed_PROBE() {
  local v
  v=$("$REAL_GO" env GOVERSION 2>/dev/null)
  case $v in
    go1.26*) ;;
    *) echo "pgo-go version follows go1.26; the go found is '$v'" ;;
  esac
}

SUITE_malformed_SETUP() {
  BAD_FILES=()
  local f
  while IFS= read -r f; do
    BAD_FILES+=("$f")
  done < <(find "$FIXTURES/bad" -type f | LC_ALL=C sort)
}

# known_difference NAME REASON ARGS…: for a listed case only the crash rules
# hold; the difference is printed as a note, and a case that no longer
# differs fails, so the list does not outlive its reasons.
known_difference() {
  local name=$1 reason=$2
  shift 2
  real_go version "$@"
  local go_out=$RUN_OUT go_err=$RUN_ERR go_status=$RUN_STATUS
  pgo_go version "$@"
  expect_no_crash
  if cmp -s "$RUN_OUT" "$go_out" && cmp -s "$RUN_ERR" "$go_err" && [[ $RUN_STATUS == "$go_status" ]]; then
    test_failed "listed as a known difference ($reason), but pgo-go now agrees with go: drop it from MALFORMED_KNOWN_DIFF"
  else
    printf 'note: %s: known difference (%s): go exits %s, pgo-go %s\n' "$name" "$reason" "$go_status" "$RUN_STATUS"
  fi
}

SUITE_malformed() {
  local f name
  TEST "the malformed inputs exist"
  if ((${#BAD_FILES[@]} < 350)); then
    test_failed "only ${#BAD_FILES[@]} files in $FIXTURES/bad; tests/tools/mkbad writes over 350"
  fi

  for f in "${BAD_FILES[@]}"; do
    name=${f##*/}
    TEST "bad/$name"
    if [[ -n ${MALFORMED_KNOWN_DIFF[$name]:-} ]]; then
      known_difference "$name" "${MALFORMED_KNOWN_DIFF[$name]}" -m "$f"
      known_difference "$name" "${MALFORMED_KNOWN_DIFF[$name]}" -m -json "$f"
      continue
    fi
    expect_version_parity -m "$f"
    expect_version_parity -m -json "$f"
  done

  TEST "bad/ as a directory, with -v"
  # Every error line, in walk order, and nothing for files that do not
  # look like executables.
  expect_version_parity "$FIXTURES/bad"
  expect_version_parity -v "$FIXTURES/bad"
  expect_version_parity -m -v "$FIXTURES/bad"

  TEST "bad/ files all at once"
  expect_version_parity -m "${BAD_FILES[@]}"

  TEST "reading from a pipe and a device does not hang or crash"
  # Not regular files: go reports them (or not) without reading forever.
  expect_version_parity -m /dev/null
  mkfifo fifo
  expect_version_parity -m -v .
}
