# The README's first command (scripts/demo.sh) in its short mode: a service
# profiled by the real pyroscope-go SDK into the local test server, built
# through the shim, verified, benchmarked both ways. Each step's outcome is
# checked in what the script prints, and the binary the shim built is read
# with the real `go version -m`.

SUITE_demo_PROBE() {
  command -v curl >/dev/null || echo "no curl"
  command -v python3 >/dev/null || echo "no python3"
}

SUITE_demo() {
  TEST "the main job, short mode: fetched, built with the profile, verified, benchmarked"
  # The demo may fetch its Go modules and benchstat: the suite's GOPROXY=off
  # is lifted for it.
  TEST_TIMEOUT=900 DEMO_SHORT=1 DEMO_COUNT=2 DEMO_PGO_GO=$PGO_GO_BIN TMPDIR=$TEST_DIR \
    run env -u GOPROXY bash "$PGO_GO_SRC/scripts/demo.sh"
  expect_exit 0
  # the shim fetched the profile from the server and verified the binary
  expect_line "$RUN_OUT" "^pgo-go: .*/rideshare: service ride-sharing-app, profile /.*/profiles/[0-9a-f]{64}\.pgo \(pyroscope: fetched, window .*\), verified$"
  # what pgo-go version -m printed names that profile
  local profile
  profile=$(sed -n 's/^profile: *//p' "$RUN_OUT")
  expect_line "$RUN_OUT" "^	build	-pgo=$profile$"
  expect_line "$RUN_OUT" "^rideshare: verified \(-pgo=$profile\)$"
  # the benchmark ran both ways and benchstat compared them
  expect_line "$RUN_OUT" "│ +off +│ +pgo +│"
  expect_line "$RUN_OUT" "^App(-[0-9]+)? "
  expect_line "$RUN_OUT" "^verified:  yes"
  expect_line "$RUN_OUT" "^speedup:   "
  # and it cleaned up after itself
  expect_equal "$(find "$TEST_DIR" -maxdepth 1 -name 'pgo-go-demo.*' | wc -l)" 0 "demo directories left"
}
