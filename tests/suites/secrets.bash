# Credentials never leak. Every credential pgo-go reads (PGO_GO_USERNAME,
# PGO_GO_PASSWORD, PGO_GO_TOKEN, their *_FILE forms and profilecli's
# PROFILECLI_* forms) is set to a distinctive value; builds then run through
# the shim in several failure modes, against a port nothing listens on and
# against a small fake server that answers 401 or 500 and echoes the
# credentials it received back in its error body, as a careless proxy might.
# None of the child go's argv, what pgo-go added to its environment, stderr,
# the log, the cache or the built binary may hold a secret. A secret file
# anyone may read draws one warning. Everything listens on 127.0.0.1 only.

SUITE_secrets_PROBE() {
  command -v python3 >/dev/null || echo "no python3 (the fake server is a python script)"
}

# ---------------------------------------------------------------- the fake server

FAKE_PIDS=()

# start_fake NAME STATUS: a server answering every request with STATUS and a
# Connect error whose message echoes the Authorization header and, for basic
# auth, the password decoded from it. Sets URL_<NAME>; the Authorization
# header of each request is appended to $SUITE_TMP/fake-NAME/auth.
start_fake() {
  local name=$1 dir=$SUITE_TMP/fake-$1
  mkdir -p "$dir"
  python3 -c '
import base64, http.server, json, os, sys
status, log, addr = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        auth = self.headers.get("Authorization", "")
        with open(log, "a") as f:
            f.write(auth + "\n")
        decoded = ""
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode("utf-8", "replace")
            decoded = decoded.partition(":")[2]
        code = "unauthenticated" if status == 401 else "internal"
        body = json.dumps({"code": code,
                           "message": "rejected %s (password %s)" % (auth, decoded)}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(addr + ".tmp", "w") as f:
    f.write("%d" % s.server_address[1])
os.rename(addr + ".tmp", addr)
s.serve_forever()
' "$2" "$dir/auth" "$dir/port" >"$dir/log" 2>&1 &
  FAKE_PIDS+=($!)
  await_file "$dir/port" || { echo "fake server $name did not start: $(cat "$dir/log")"; return 1; }
  printf -v "URL_$name" 'http://127.0.0.1:%s' "$(cat "$dir/port")"
}

stop_fakes() {
  stop_processes "${FAKE_PIDS[@]}"
  FAKE_PIDS=()
}

SUITE_secrets_SETUP() {
  trap stop_fakes EXIT
  start_fake unauthorized 401 || exit 1
  start_fake failing 500 || exit 1
}

# ---------------------------------------------------------------- credentials

# Every secret the suite sets, in every form a leak could take: as set, and
# base64-encoded as basic auth sends it.
SECRETS=(
  user-ENV-u7Qx31 pw-ENV-p9Zk44 tok-ENV-t2Wm87
  user-FILE-u4Rb62 pw-FILE-p6Hn19 tok-FILE-t8Jc05
  user-PCLI-u1Vd73 pw-PCLI-p3Ls28 tok-PCLI-t5Gy90
  user-URL-u2Ke55 pw-URL-p0Qa66
)
for _pair in user-ENV-u7Qx31:pw-ENV-p9Zk44 user-FILE-u4Rb62:pw-FILE-p6Hn19 \
  user-PCLI-u1Vd73:pw-PCLI-p3Ls28 user-URL-u2Ke55:pw-URL-p0Qa66; do
  SECRETS+=("$(printf '%s' "$_pair" | base64)")
done
unset _pair

# secret_files: the *_FILE forms' files, readable by their owner only.
secret_files() {
  mkdir -p "$TEST_DIR/secrets"
  printf 'user-FILE-u4Rb62\n' >"$TEST_DIR/secrets/username"
  printf 'pw-FILE-p6Hn19\n' >"$TEST_DIR/secrets/password"
  printf 'tok-FILE-t8Jc05\n' >"$TEST_DIR/secrets/token"
  chmod 600 "$TEST_DIR/secrets"/*
}

# credentials FORMS: sets CRED_VARS to the credentials of FORMS, a
# space-separated choice of: env (PGO_GO_X), file (PGO_GO_X_FILE), pcli
# (PROFILECLI_X), basic (username and password only: no token, so that basic
# auth is what is sent).
credentials() {
  local forms=" $1 "
  CRED_VARS=()
  secret_files
  if [[ $forms == *" env "* ]]; then
    CRED_VARS+=(PGO_GO_USERNAME=user-ENV-u7Qx31 PGO_GO_PASSWORD=pw-ENV-p9Zk44)
    [[ $forms == *" basic "* ]] || CRED_VARS+=(PGO_GO_TOKEN=tok-ENV-t2Wm87)
  fi
  if [[ $forms == *" file "* ]]; then
    CRED_VARS+=(PGO_GO_USERNAME_FILE="$TEST_DIR/secrets/username"
      PGO_GO_PASSWORD_FILE="$TEST_DIR/secrets/password")
    [[ $forms == *" basic "* ]] || CRED_VARS+=(PGO_GO_TOKEN_FILE="$TEST_DIR/secrets/token")
  fi
  if [[ $forms == *" pcli "* ]]; then
    CRED_VARS+=(PROFILECLI_USERNAME=user-PCLI-u1Vd73 PROFILECLI_PASSWORD=pw-PCLI-p3Ls28)
    [[ $forms == *" basic "* ]] || CRED_VARS+=(PROFILECLI_TOKEN=tok-PCLI-t5Gy90)
  fi
}

# ---------------------------------------------------------------- the build

# secret_app: a main package in ./app (service "app"), a shim directory
# first on PATH, and a recording go: every go pgo-go runs writes its argv
# and environment under ./rec before it execs the real one.
secret_app() {
  mkdir -p app shim rec
  ln -sf "$PGO_GO_BIN" shim/go
  printf 'module example.com/app\n\ngo 1.26\n' >app/go.mod
  printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n' >app/main.go
  cat >recgo <<EOF
#!/bin/sh
n=\$\$
printf '%s\n' "\$@" >"$TEST_DIR/rec/argv.\$n"
env >"$TEST_DIR/rec/env.\$n"
exec "$REAL_GO" "\$@"
EOF
  chmod +x recgo
}

# secret_build FORMS VAR=VALUE…: `go build -o bin` through the shim in ./app
# with the credentials of FORMS and the settings given, a cache and a log of
# the test's own. The environment the shim starts with goes to ./parent.env.
secret_build() {
  local vars
  credentials "$1"
  shift
  vars=("${CRED_VARS[@]}" PATH="$TEST_DIR/shim:$SUITE_PATH" PGO_GO_REAL="$TEST_DIR/recgo"
    PGO_GO_CACHE_DIR="$TEST_DIR/cache" PGO_GO_LOG="$TEST_DIR/pgo-go.log" PGO_GO_RETRIES=0 "$@")
  cd "$TEST_DIR/app" || return
  env "${vars[@]}" env >"$TEST_DIR/parent.env"
  run env "${vars[@]}" go build -o bin .
  cd "$TEST_DIR" || return
  expect_no_crash
}

# expect_no_secret FILE WHAT: FILE holds none of the secrets.
expect_no_secret() {
  local s
  [[ -e $1 ]] || return 0
  for s in "${SECRETS[@]}"; do
    if grep -aqF -- "$s" "$1"; then
      test_failed "$2 holds the secret $s:" "$(grep -aF -- "$s" "$1" | head -c 600)"
    fi
  done
}

# expect_no_leak: after secret_build, no secret in the child go's argv, in
# the variables pgo-go added to or changed in its environment, in stderr or
# stdout, in the log, in any cache file or in the binary built.
expect_no_leak() {
  local f added
  for f in "$TEST_DIR"/rec/argv.*; do
    [[ -e $f ]] && expect_no_secret "$f" "the child go's argv ($(head -c 80 "$f" | tr '\n' ' '))"
  done
  for f in "$TEST_DIR"/rec/env.*; do
    [[ -e $f ]] || continue
    added=$TEST_DIR/added.env
    # Variables the user had keep their values; only what pgo-go added or
    # changed is its doing.
    grep -vxF -f "$TEST_DIR/parent.env" "$f" >"$added" || true
    expect_no_secret "$added" "a variable pgo-go gave the child go"
  done
  expect_no_secret "$RUN_ERR" "stderr"
  expect_no_secret "$RUN_OUT" "stdout"
  # The log is written for every intercepted build: its absence would make
  # this check pass for nothing.
  expect_line "$TEST_DIR/pgo-go.log" '^[0-9T:-]+Z pgo-go\[[0-9]+\]: command: go build -o bin \.$'
  expect_no_secret "$TEST_DIR/pgo-go.log" "the log"
  rm -f "$TEST_DIR/pgo-go.log"
  if [[ -d $TEST_DIR/cache ]]; then
    while IFS= read -r f; do
      expect_no_secret "$f" "cache file ${f#"$TEST_DIR"/}"
    done < <(find "$TEST_DIR/cache" -type f)
  fi
  if [[ -e $TEST_DIR/app/bin ]]; then
    strings -a "$TEST_DIR/app/bin" >"$TEST_DIR/bin.strings"
    expect_no_secret "$TEST_DIR/bin.strings" "the built binary"
  fi
  rm -rf "$TEST_DIR/rec" && mkdir -p "$TEST_DIR/rec"
}

# expect_recorded: the recording go ran (so its argv and environment were
# looked at); to call before expect_no_leak.
expect_recorded() {
  compgen -G "$TEST_DIR/rec/argv.*" >/dev/null || test_failed "the recording go never ran"
}

# expect_sent NAME TEXT: the fake server NAME received an Authorization
# header TEXT since the last call (so the credentials were really in play).
expect_sent() {
  local log=$SUITE_TMP/fake-$1/auth
  if ! grep -qxF -- "$2" "$log" 2>/dev/null; then
    test_failed "the $1 server never received 'Authorization: $2':" "$(cat "$log" 2>/dev/null)"
  fi
  : >"$log"
}

basic() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64)"; }

# ---------------------------------------------------------------- tests

SUITE_secrets() {
  TEST "server unreachable: the build runs without PGO, nothing leaks"
  secret_app
  secret_build "env file pcli" PGO_GO_URL=http://127.0.0.1:9
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: warning: no profile for service 'app': "
  expect_file_exists app/bin
  expect_recorded
  expect_no_leak
  secret_build "env file pcli" PGO_GO_URL=http://127.0.0.1:9 PGO_GO_VERBOSE=1
  expect_exit 0
  expect_recorded
  expect_no_leak

  TEST "server unreachable, PGO_GO_REQUIRE=1: the build fails, nothing leaks"
  secret_app
  secret_build "env file pcli" PGO_GO_URL=http://127.0.0.1:9 PGO_GO_REQUIRE=1
  expect_exit 1
  expect_line "$RUN_ERR" "^pgo-go: no profile for service 'app' and PGO_GO_REQUIRE is set: "
  expect_file_missing app/bin
  expect_no_leak

  TEST "offline, nothing cached: nothing leaks"
  secret_app
  secret_build "env file pcli" PGO_GO_URL=http://127.0.0.1:9 PGO_GO_OFFLINE=1
  expect_exit 0
  expect_recorded
  expect_no_leak

  TEST "401 echoing a bearer token, from each form: nothing leaks"
  local form tok
  for form in env file pcli; do
    secret_app
    case $form in
      env) tok=tok-ENV-t2Wm87 ;;
      file) tok=tok-FILE-t8Jc05 ;;
      pcli) tok=tok-PCLI-t5Gy90 ;;
    esac
    secret_build "$form" PGO_GO_URL="$URL_unauthorized" PGO_GO_VERBOSE=1
    expect_exit 0
    expect_line "$RUN_ERR" "HTTP 401"
    expect_file_exists app/bin
    expect_sent unauthorized "Bearer $tok"
    expect_recorded
    expect_no_leak
  done

  TEST "401 echoing basic auth, from each form: nothing leaks"
  local user pw
  for form in env file pcli; do
    secret_app
    case $form in
      env) user=user-ENV-u7Qx31 pw=pw-ENV-p9Zk44 ;;
      file) user=user-FILE-u4Rb62 pw=pw-FILE-p6Hn19 ;;
      pcli) user=user-PCLI-u1Vd73 pw=pw-PCLI-p3Ls28 ;;
    esac
    secret_build "$form basic" PGO_GO_URL="$URL_unauthorized" PGO_GO_VERBOSE=1
    expect_exit 0
    expect_line "$RUN_ERR" "HTTP 401"
    expect_sent unauthorized "$(basic "$user" "$pw")"
    expect_recorded
    expect_no_leak
  done

  TEST "500 echoing the credentials, PGO_GO_REQUIRE=1 and not: nothing leaks"
  secret_app
  secret_build "env file pcli" PGO_GO_URL="$URL_failing" PGO_GO_REQUIRE=1
  expect_exit 1
  expect_line "$RUN_ERR" "HTTP 500"
  expect_sent failing "Bearer tok-ENV-t2Wm87"
  expect_no_leak
  secret_build "env basic" PGO_GO_URL="$URL_failing" PGO_GO_VERBOSE=1
  expect_exit 0
  expect_sent failing "$(basic user-ENV-u7Qx31 pw-ENV-p9Zk44)"
  expect_recorded
  expect_no_leak

  TEST "credentials in the URL (user:password@host): sent, and nothing leaks"
  local url_creds=${URL_unauthorized/#http:\/\//http://user-URL-u2Ke55:pw-URL-p0Qa66@}
  secret_app
  secret_build "" PGO_GO_URL="$url_creds" PGO_GO_VERBOSE=1
  expect_exit 0
  expect_line "$RUN_ERR" "HTTP 401"
  expect_sent unauthorized "$(basic user-URL-u2Ke55 pw-URL-p0Qa66)"
  expect_recorded
  expect_no_leak
  run env PGO_GO_CACHE_DIR="$TEST_DIR/cache" PGO_GO_LOG="$TEST_DIR/fetch.log" PGO_GO_RETRIES=0 \
    "$PGO_GO_BIN" fetch --url "$url_creds" --service app -o "$TEST_DIR/app.pgo"
  expect_exit 1
  expect_no_secret "$RUN_ERR" "stderr of pgo-go fetch"
  expect_no_secret "$TEST_DIR/fetch.log" "the log of pgo-go fetch"
  expect_contains "$TEST_DIR/fetch.log" "command: fetch --url http://REDACTED@127.0.0.1:"

  TEST "the child go's environment gains no credential"
  secret_app
  secret_build "file" PGO_GO_URL="$URL_unauthorized"
  expect_exit 0
  local f
  for f in rec/env.*; do
    grep -aqE '^(PGO_GO_(USERNAME|PASSWORD|TOKEN)|PROFILECLI_(USERNAME|PASSWORD|TOKEN))=' "$f" &&
      test_failed "pgo-go gave the child go a credential variable:" "$(grep -aE 'USERNAME|PASSWORD|TOKEN' "$f")"
  done
  expect_recorded
  expect_no_leak

  TEST "pgo-go config masks the password and the token"
  secret_app
  credentials env
  run env "${CRED_VARS[@]}" "$PGO_GO_BIN" config
  expect_exit 0
  expect_contains "$RUN_OUT" "environment (PGO_GO_TOKEN)"
  expect_not_contains "$RUN_OUT" pw-ENV-p9Zk44
  expect_not_contains "$RUN_OUT" tok-ENV-t2Wm87

  TEST "a secret file anyone may read: one warning naming it, the build runs"
  secret_app
  secret_files
  chmod 644 secrets/token
  cd app || return
  run env PATH="$TEST_DIR/shim:$SUITE_PATH" PGO_GO_URL=http://127.0.0.1:9 PGO_GO_RETRIES=0 \
    PGO_GO_TOKEN_FILE="$TEST_DIR/secrets/token" go build -o bin .
  cd "$TEST_DIR" || return
  expect_exit 0
  expect_file_exists app/bin
  expect_equal "$(grep -c 'anyone may read' "$RUN_ERR")" 1 "warnings about the token file"
  expect_line "$RUN_ERR" "^pgo-go: warning: $TEST_DIR/secrets/token holds a secret and anyone may read it: chmod 600 it$"
  expect_no_secret "$RUN_ERR" "stderr"
  # the same file named in a configuration file
  printf '[pgo-go]\npassword_file = %s\n' "$TEST_DIR/secrets/password" >config.ini
  chmod 604 secrets/password
  run env PGO_GO_CONFIG="$TEST_DIR/config.ini" "$PGO_GO_BIN" config
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: warning: $TEST_DIR/secrets/password holds a secret and anyone may read it: chmod 600 it$"

  TEST "a secret file only its owner may read, or a username file anyone may read: no warning"
  secret_app
  credentials file
  chmod 644 secrets/username
  credentials file
  run env "${CRED_VARS[@]}" "$PGO_GO_BIN" config
  expect_exit 0
  expect_not_contains "$RUN_ERR" "anyone may read"
}
