# pgo-go in the CI systems Go teams use (README: "CI systems"), against the
# test server (tests/pyroserver) on 127.0.0.1, with the examples/quickstart
# module:
# - GitHub Actions: action.yml's steps, run by tests/tools/actions-runner.py
#   the way the runner runs a composite action, after a step doing what
#   actions/setup-go does (Go's bin directory into GITHUB_PATH,
#   GOTOOLCHAIN=local into GITHUB_ENV); then `go build` and `pgo-go verify`
#   in the environment the job's later steps get.
# - GoReleaser: the way it calls `builds[].tool`, several targets at once.

SUITE_ci_PROBE() {
  if ! command -v curl >/dev/null; then
    echo "no curl (the suite drives the test server with it)"
  elif ! python3 -c 'import yaml' 2>/dev/null; then
    echo "no PyYAML for python3 (Debian's python3-yaml), which tests/tools/actions-runner.py needs"
  fi
}

# shellcheck source=tests/pyroserver.bash
source "$TESTS_DIR/pyroserver.bash"

TOKEN=tok-CI-q8Rw27
RUNNER_TEMP_DIR="" # shared by the jobs, so pgo-go is compiled once

SUITE_ci_SETUP() {
  trap stop_servers EXIT
  build_pyroserver "$SUITE_TMP/bin" || { echo "cannot build the test server"; exit 1; }
  start_server auth -tenant-required -bearer "$TOKEN" || exit 1
  local now
  now=$(date +%s)
  ingest "$URL_auth" quickstart "$((now - now % 3600 - 1800))" "$FIXTURES/cpu.pprof" \
    -H 'X-Scope-OrgID: acme' -H "Authorization: Bearer $TOKEN"
  printf '%s' "$TOKEN" >"$SUITE_TMP/token"
  chmod 600 "$SUITE_TMP/token"
  RUNNER_TEMP_DIR=$SUITE_TMP/runner-temp
  mkdir -p "$RUNNER_TEMP_DIR"
  # What actions/setup-go does to the job's environment (its src/main.ts):
  # Go's bin directory on PATH, GOTOOLCHAIN=local.
  SETUP_GO=(--run "echo '$REAL_GOROOT/bin' >>\"\$GITHUB_PATH\" && echo GOTOOLCHAIN=local >>\"\$GITHUB_ENV\"")
}

# ---------------------------------------------------------------- helpers

# workspace: the job's workspace, holding a copy of examples/quickstart.
workspace() {
  mkdir -p ws
  cp -r "$PGO_GO_SRC/examples/quickstart" ws/
  ctl "$URL_auth" POST reset
}

# job STEP…: tests/tools/actions-runner.py in ./ws; the job's log in $RUN_OUT.
job() {
  TEST_TIMEOUT=600 run python3 "$TESTS_DIR/tools/actions-runner.py" \
    --workspace "$TEST_DIR/ws" --temp "$RUNNER_TEMP_DIR" "$@"
}

# uses_pgo_go INPUT=VALUE…: the action of this repository, as step "pgo".
uses_pgo_go() {
  USES=(--uses "$PGO_GO_SRC" --id pgo)
  local input
  for input; do USES+=(--with "$input"); done
}

# expected_profile: EXPECTED becomes the profile `pgo-go fetch` gets for
# the quickstart service, as the job would.
expected_profile() {
  PGO_GO_TENANT_ID=acme PGO_GO_TOKEN_FILE=$SUITE_TMP/token run "$PGO_GO_BIN" fetch \
    --url "$URL_auth" --service quickstart -o expected.pgo
  expect_exit 0
  EXPECTED=$PWD/expected.pgo
}

# ---------------------------------------------------------------- tests

SUITE_ci() {
  TEST "GitHub Actions, after setup-go: go build gets the profile, verified; the token masked, in a 0600 file"
  workspace
  uses_pgo_go url="$URL_auth" tenant-id=acme token="$TOKEN" service=quickstart require=true verify=strict
  job "${SETUP_GO[@]}" "${USES[@]}" --run '
echo "go is $(command -v go)"
echo "shim-dir is ${{ steps.pgo.outputs.shim-dir }}"
env | grep "^PGO_GO_" | sort
echo "token file mode $(stat -c %a "$PGO_GO_TOKEN_FILE")"
echo "a careless step prints the token: '"$TOKEN"'"
cd quickstart
go build -o app .
pgo-go verify app'
  expect_exit 0
  local shim=$RUNNER_TEMP_DIR/pgo-go/shim
  expect_line "$RUN_OUT" "^go is $shim/go\$"
  expect_line "$RUN_OUT" "^shim-dir is $shim\$"
  # (the suite driver's own PGO_GO_BIN, _FIXTURES, _SRC and lib.bash's _MIN_FIT, _HOLD left out)
  expect_equal "$(grep '^PGO_GO_' "$RUN_OUT" | grep -v '^PGO_GO_\(BIN\|FIXTURES\|SRC\|MIN_FIT\|HOLD\)=' | tr '\n' ' ')" "PGO_GO_REQUIRE=true PGO_GO_SERVICE=quickstart \
PGO_GO_TENANT_ID=acme PGO_GO_TOKEN_FILE=$RUNNER_TEMP_DIR/pgo-go/token PGO_GO_URL=$URL_auth PGO_GO_VERIFY=strict " \
    "the settings the job's later steps get"
  expect_line "$RUN_OUT" '^token file mode 600$'
  expect_line "$RUN_OUT" '^a careless step prints the token: \*\*\*$'
  expect_not_contains "$RUN_OUT" "$TOKEN"
  expect_not_contains "$RUN_OUT" "$(printf '%s' "$TOKEN" | base64)"
  expect_line "$RUN_OUT" '^app: verified \(-pgo=/.*/profiles/[0-9a-f]{64}\.pgo\)$'
  expect_equal "$(requests "$URL_auth" SelectMergeProfile)" 1 "SelectMergeProfile requests"
  curl -sf "$URL_auth/control/requests?method=SelectMergeProfile" | tr -d ' \n' >log.json
  expect_contains log.json '"authorization_scheme":"Bearer"'
  expect_contains log.json '"X-Scope-Orgid":["acme"]'
  local recorded
  recorded=$(sed -n 's/^app: verified (-pgo=\(.*\))$/\1/p' "$RUN_OUT")
  expected_profile
  expect_equal_content "$recorded" "$EXPECTED" "the profile the binary records"

  TEST "GitHub Actions, before setup-go: its Go comes first and the shim is bypassed (the documented order)"
  workspace
  uses_pgo_go url="$URL_auth" tenant-id=acme token="$TOKEN" service=quickstart
  job "${USES[@]}" "${SETUP_GO[@]}" --run '
echo "go is $(command -v go)"
cd quickstart
go build -o app .
pgo-go verify app || true'
  expect_exit 0
  expect_line "$RUN_OUT" "^go is $REAL_GOROOT/bin/go\$"
  expect_line "$RUN_OUT" '^app: no PGO: built without -pgo$'
  expect_equal "$(requests "$URL_auth")" 0 "requests to the server"

  TEST "GitHub Actions: no server with require, a build fails with pgo-go's message; an input with a line break is refused"
  workspace
  uses_pgo_go url=http://127.0.0.1:9 service=quickstart require=true
  job "${SETUP_GO[@]}" "${USES[@]}" --run 'cd quickstart && go build -o app . && echo "went on"'
  expect_exit 1
  expect_line "$RUN_OUT" "^pgo-go: no profile for service 'quickstart' and PGO_GO_REQUIRE is set: "
  grep -qx "went on" "$RUN_OUT" && test_failed "the step went on after the failed build"
  expect_file_missing ws/quickstart/app
  uses_pgo_go url="$URL_auth"$'\n'"LD_PRELOAD=/tmp/x.so"
  job "${SETUP_GO[@]}" "${USES[@]}" --run 'echo "LD_PRELOAD is ${LD_PRELOAD:-unset}"'
  expect_exit 1
  expect_contains "$RUN_OUT" "::error title=pgo-go::the input for PGO_GO_URL holds a line break"
  expect_not_contains "$RUN_OUT" "LD_PRELOAD is"

  TEST "GoReleaser's calls: three targets at once, -trimpath, -ldflags, -o dist/…: every binary verified, one fetch"
  workspace
  mkdir shim
  ln -s "$PGO_GO_BIN" shim/go
  local shim=$TEST_DIR/shim/go
  # As GoReleaser runs `builds[].tool` (internal/builders/golang/build.go):
  # in parallel, `TOOL build FLAGS -ldflags=… -o PATH MAIN` in the module,
  # with its environment plus the build's env: and the target's variables.
  local target goos goarch variant path pids=()
  cd ws/quickstart || return
  for target in linux_amd64_v1 linux_arm64_v8.0 windows_amd64_v1; do
    IFS=_ read -r goos goarch variant <<<"$target"
    path=dist/quickstart_$target/quickstart
    [[ $goos == windows ]] && path+=.exe
    env PGO_GO_URL="$URL_auth" PGO_GO_TENANT_ID=acme PGO_GO_TOKEN_FILE="$SUITE_TMP/token" \
      PGO_GO_SERVICE=quickstart CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" GOARM= GOMIPS= GOMIPS64= \
      "GO${goarch^^}=$variant" \
      timeout 600 "$shim" build -trimpath "-ldflags=-s -w -X main.version=1.2.3" -o "$path" . \
      >"$TEST_DIR/$target.out" 2>&1 &
    pids+=($!)
  done
  local pid status
  for pid in "${pids[@]}"; do
    status=0
    wait "$pid" || status=$?
    expect_equal "$status" 0 "a target's exit status"
  done
  cd "$TEST_DIR" || return
  for target in linux_amd64_v1 linux_arm64_v8.0 windows_amd64_v1; do
    expect_empty "$target.out"
  done
  run "$PGO_GO_BIN" verify ws/quickstart/dist
  expect_exit 0
  expect_line_count "$RUN_OUT" 3
  expect_equal "$(requests "$URL_auth" SelectMergeProfile)" 1 "SelectMergeProfile requests"
  local verdicts=$RUN_OUT
  expected_profile
  expect_equal "$(sed 's/.*verified (-pgo=\(.*\))$/\1/' "$verdicts" | sort -u)" \
    "$(sha256sum <"$EXPECTED" | cut -d' ' -f1).pgo" "the profile every binary records (-trimpath: its name)"
  run "$PGO_GO_BIN" version -m ws/quickstart/dist/quickstart_windows_amd64_v1/quickstart.exe
  expect_contains "$RUN_OUT" $'\tbuild\t-trimpath=true'
  expect_contains "$RUN_OUT" $'\tbuild\tGOOS=windows'
  # Under -trimpath Go records no -ldflags; the linker got them: -s strips.
  run file ws/quickstart/dist/quickstart_linux_arm64_v8.0/quickstart
  expect_contains "$RUN_OUT" "ARM aarch64"
  expect_contains "$RUN_OUT" ", stripped"
}
