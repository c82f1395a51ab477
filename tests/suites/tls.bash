# A Pyroscope behind TLS, with tenants (issue 14, items 18 and 19): the
# suite's test server (tests/pyroserver) serving https with a test CA made
# when the suite starts (tls.go), checking tenants the way a multi-tenant
# Pyroscope does. Two servers on 127.0.0.1 for the whole suite: "tls"
# (server authentication only) and "mtls" (a client certificate the test CA
# signed is required). Everything goes through the real libcurl, through
# pgo-go; the shim tests build with the real go.

SUITE_tls_PROBE() {
  command -v curl >/dev/null || echo "no curl (the suite drives the test server with it)"
}

# ---------------------------------------------------------------- servers

# shellcheck source=tests/pyroserver.bash
source "$TESTS_DIR/pyroserver.bash"

PKI=""

# server_curl ARGS…: curl trusting the test CA, with the test client certificate.
server_curl() {
  curl -sf --cacert "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client-key.pem" "$@"
}

reset_servers() {
  server_curl -X POST "$URL_tls/control/reset" >/dev/null
  server_curl -X POST "$URL_mtls/control/reset" >/dev/null
}

SUITE_tls_SETUP() {
  PKI=$SUITE_TMP/pki
  build_pyroserver "$SUITE_TMP/bin" || { echo "cannot build the test server"; exit 1; }
  trap stop_servers EXIT
  # The first makes the test CA; the second finds it.
  start_server tls -tls-dir "$PKI" -tenant-required
  start_server mtls -tls-dir "$PKI" -tenant-required -client-cert-required
  URL_tls=https://$ADDR_tls
  URL_mtls=https://$ADDR_mtls

  # The fixture profile in the last closed hour, for tenant acme.
  SUITE_NOW=$(date +%s)
  local past=$((SUITE_NOW - SUITE_NOW % 3600 - 1800)) u
  for u in "$URL_tls" "$URL_mtls"; do
    server_curl -H 'X-Scope-OrgID: acme' --data-binary "@$FIXTURES/cpu.pprof" \
      "$u/ingest?format=pprof&name=tls-svc&from=$past&until=$((past + 10))" >/dev/null ||
      { echo "cannot ingest into $u"; exit 1; }
  done
}

# ---------------------------------------------------------------- helpers

# pgo ARGS…: pgo-go on the suite's clock, checked for crashes.
pgo() {
  PGO_GO_TEST_NOW=$SUITE_NOW run "$PGO_GO_BIN" "$@"
  expect_no_crash
}

# shim_app: ./app, a module with main packages ./cmd/a and ./cmd/b mapped to
# tls-svc and tls-svc2, and the shim first on PATH in ./shim.
shim_app() {
  mkdir -p app/cmd/a app/cmd/b shim
  ln -sf "$PGO_GO_BIN" shim/go
  printf 'module example.com/tlsapp\n\ngo 1.26\n' >app/go.mod
  local d
  for d in a b; do
    printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("%s") }\n' "$d" >"app/cmd/$d/main.go"
  done
  printf '[services]\n./cmd/a = tls-svc\n./cmd/b = tls-svc2\n' >app/.pgo-go.ini
  export GOFLAGS=-modcacherw
}

# shim_go ARGS…: `go ARGS` in ./app through the shim, on the suite's clock.
shim_go() {
  cd "$TEST_DIR/app" || return
  PGO_GO_TEST_NOW=$SUITE_NOW run env PATH="$TEST_DIR/shim:$SUITE_PATH" go "$@"
  cd "$TEST_DIR" || return
  expect_no_crash
}

# expect_one_line PATTERN: stderr of the last run is one line matching the
# extended regular expression PATTERN.
expect_one_line() {
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "$1"
}

# ---------------------------------------------------------------- tests

SUITE_tls() {
  TEST "ca_file in a config file: a fetch over https works"
  reset_servers
  printf '[pgo-go]\nurl = %s\ntenant_id = acme\nca_file = %s\n' "$URL_tls" "$PKI/ca.pem" >pgo.ini
  PGO_GO_CONFIG=$TEST_DIR/pgo.ini pgo fetch --service tls-svc -o tls.pgo
  expect_exit 0
  expect_line "$RUN_OUT" '^wrote tls\.pgo: tls-svc, window '
  expect_equal "$(requests "$URL_tls" SelectMergeProfile)" 1 "SelectMergeProfile requests"

  TEST "ca_file in .pgo-go.ini: the shim builds with the profile, over https"
  reset_servers
  shim_app
  printf '[pgo-go]\nurl = %s\ntenant_id = acme\nca_file = %s\n' "$URL_tls" "$PKI/ca.pem" >>app/.pgo-go.ini
  shim_go build -o a.bin ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"
  pgo verify app/a.bin
  expect_exit 0

  TEST "no CA given: the server's certificate is not trusted, one line naming ca_file, no retry"
  reset_servers
  local before
  before=$(connections "$URL_tls")
  PGO_GO_TENANT_ID=acme pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: SelectMergeProfile at $URL_tls: the server's TLS certificate is not trusted: .*\(set PGO_GO_CA_FILE to the CA that signed it\)"
  expect_equal "$(connections_since "$URL_tls" "$before")" 1 "connections"

  TEST "the wrong CA: not trusted either, one line naming ca_file"
  reset_servers
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/other-ca.pem pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "the server's TLS certificate is not trusted: .*\(set PGO_GO_CA_FILE to the CA that signed it\)"

  TEST "a missing CA file: no such file, naming the setting, no connection"
  reset_servers
  before=$(connections "$URL_tls")
  printf '[pgo-go]\nca_file = %s\n' "$TEST_DIR/nothere.pem" >pgo.ini
  PGO_GO_CONFIG=$TEST_DIR/pgo.ini PGO_GO_TENANT_ID=acme pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: cannot read the CA file $TEST_DIR/nothere\.pem \(PGO_GO_CA_FILE\): No such file or directory$"
  expect_equal "$(connections_since "$URL_tls" "$before")" 0 "connections"
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem PGO_GO_CLIENT_CERT=$TEST_DIR/nothere.pem \
    pgo fetch --url "$URL_mtls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: cannot read the client certificate $TEST_DIR/nothere\.pem \(PGO_GO_CLIENT_CERT\): No such file"

  TEST "no client certificate: one stable line naming client_cert, client_key, ca_file; not retried"
  reset_servers
  before=$(connections "$URL_mtls")
  local i
  for i in 1 2 3 4 5; do
    PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem pgo fetch --url "$URL_mtls" --service tls-svc
    expect_exit 1
    expect_one_line "^pgo-go: SelectMergeProfile at $URL_mtls: the server refused the connection after the TLS handshake, before answering: it requires a client certificate \(set PGO_GO_CLIENT_CERT and PGO_GO_CLIENT_KEY; PGO_GO_CA_FILE verifies the server's, not this one\)"
    cp "$RUN_ERR" "line$i"
  done
  for i in 2 3 4 5; do expect_equal_content "line$i" line1 "run $i's line"; done
  # Retried, it would be four connections a run (three retries).
  expect_equal "$(connections_since "$URL_mtls" "$before")" 5 "connections for five runs"
  expect_equal "$(requests "$URL_mtls" SelectMergeProfile)" 0 "requests that got through"

  TEST "a client certificate the CA signed: it works, key apart or in one file"
  reset_servers
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem PGO_GO_CLIENT_CERT=$PKI/client.pem \
    PGO_GO_CLIENT_KEY=$PKI/client-key.pem pgo fetch --url "$URL_mtls" --service tls-svc -o a.pgo
  expect_exit 0
  expect_empty "$RUN_ERR"
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem PGO_GO_CLIENT_CERT=$PKI/client-bundle.pem \
    pgo fetch --url "$URL_mtls" --service tls-svc --force -o b.pgo
  expect_exit 0
  expect_equal_content b.pgo a.pgo "the profile fetched with the bundle"
  expect_equal "$(requests "$URL_mtls" SelectMergeProfile)" 2 "SelectMergeProfile requests"

  TEST "a client certificate of another CA: refused, one line naming it"
  reset_servers
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem PGO_GO_CLIENT_CERT=$PKI/stranger.pem \
    PGO_GO_CLIENT_KEY=$PKI/stranger-key.pem pgo fetch --url "$URL_mtls" --service tls-svc
  expect_exit 1
  expect_one_line "the server refused the connection after the TLS handshake, before answering: it does not accept the client certificate $PKI/stranger\.pem \(check PGO_GO_CLIENT_CERT and PGO_GO_CLIENT_KEY"

  TEST "client_key without client_cert: said, once a command"
  reset_servers
  shim_app
  PGO_GO_URL=$URL_tls PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem \
    PGO_GO_CLIENT_KEY=$PKI/client-key.pem shim_go build -o a.bin ./cmd/a
  expect_exit 0
  expect_one_line "^pgo-go: warning: PGO_GO_CLIENT_KEY is set but PGO_GO_CLIENT_CERT is not: the key is not used without its certificate \(set PGO_GO_CLIENT_CERT too, or unset PGO_GO_CLIENT_KEY\)$"
  pgo verify app/a.bin
  expect_exit 0
  # Against the server that wants a certificate: the warning, then why.
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem PGO_GO_CLIENT_KEY=$PKI/client-key.pem \
    pgo fetch --url "$URL_mtls" --service tls-svc
  expect_exit 1
  expect_line_count "$RUN_ERR" 2
  expect_line "$RUN_ERR" "^pgo-go: warning: PGO_GO_CLIENT_KEY is set but PGO_GO_CLIENT_CERT is not"
  expect_line "$RUN_ERR" "it requires a client certificate \(set PGO_GO_CLIENT_CERT and PGO_GO_CLIENT_KEY"

  TEST "a build of two services against mTLS without a certificate: one warning, one connection"
  reset_servers
  shim_app
  before=$(connections "$URL_mtls")
  PGO_GO_URL=$URL_mtls PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem shim_go build ./cmd/...
  expect_exit 0
  expect_one_line "^pgo-go: warning: no profile for service 'tls-svc': SelectMergeProfile at $URL_mtls: the server refused the connection after the TLS handshake, before answering: it requires a client certificate .*; building without PGO$"
  expect_equal "$(connections_since "$URL_mtls" "$before")" 1 "connections for two services"

  TEST "a tenant with an unsupported character: the hint is the tenant, not the query"
  reset_servers
  PGO_GO_TENANT_ID='acme corp' PGO_GO_CA_FILE=$PKI/ca.pem pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: SelectMergeProfile at $URL_tls: HTTP 401 unauthenticated: tenant ID 'acme corp' contains unsupported character ' ' \(check the tenant: PGO_GO_TENANT_ID is 'acme corp', sent as X-Scope-OrgID; the server takes one ID of at most 150 letters, digits and !-_\.\*'\(\)\)$"
  expect_not_contains "$RUN_ERR" "check the query"
  expect_equal "$(requests "$URL_tls" SelectMergeProfile)" 1 "requests (a 401 is not retried)"

  TEST "several tenants (multiple org IDs, JSON inside JSON): the server's words, the tenant's hint"
  reset_servers
  PGO_GO_TENANT_ID='acme|other' PGO_GO_CA_FILE=$PKI/ca.pem pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: SelectMergeProfile at $URL_tls: HTTP 401 unauthenticated: multiple org IDs present \(check the tenant: PGO_GO_TENANT_ID is 'acme\|other', sent as X-Scope-OrgID;"
  expect_not_contains "$RUN_ERR" '{'
  expect_not_contains "$RUN_ERR" "check the query"

  TEST "no tenant: the server wants one, set tenant_id"
  reset_servers
  PGO_GO_CA_FILE=$PKI/ca.pem pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: SelectMergeProfile at $URL_tls: HTTP 401 unauthenticated: no org id \(the server wants a tenant: set PGO_GO_TENANT_ID\)$"

  TEST "an unknown service names the tenant it was looked up under"
  reset_servers
  PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem pgo fetch --url "$URL_tls" --service tls-svx
  expect_exit 1
  expect_one_line "^pgo-go: no process_cpu:cpu:nanoseconds:cpu:nanoseconds samples for tls-svx at $URL_tls \(tenant acme\) in the last 24 hours; it knows no service 'tls-svx' \(closest: tls-svc\)$"
  # A main package nothing maps: the server is asked which services it knows.
  shim_app
  printf '[services]\n' >app/.pgo-go.ini
  mkdir -p app/cmd/tls-svx
  printf 'package main\n\nfunc main() {}\n' >app/cmd/tls-svx/main.go
  PGO_GO_URL=$URL_tls PGO_GO_TENANT_ID=acme PGO_GO_CA_FILE=$PKI/ca.pem shim_go build -o x.bin ./cmd/tls-svx
  expect_exit 0
  expect_one_line "^pgo-go: warning: no profile for service 'tls-svx': $URL_tls \(tenant acme\) knows no service 'tls-svx' nor 'tlsapp' \(closest: tls-svc\); "

  TEST "offline with nothing cached names the tenant it looked under"
  PGO_GO_TENANT_ID=acme PGO_GO_OFFLINE=1 pgo fetch --url "$URL_tls" --service tls-svc
  expect_exit 1
  expect_one_line "^pgo-go: offline \(PGO_GO_OFFLINE\) and no profile of tls-svc from $URL_tls \(tenant acme\) in the cache "
}
