# Helpers for the suites that run the Pyroscope-compatible test server
# (tests/pyroserver; its README lists the control API used here). Sourced
# by a suite file; everything listens on 127.0.0.1 only.
#
#   build_pyroserver DIR      once, in the suite's setup: DIR/pyroserver
#   start_server NAME ARGS…   a server with the control API (and ARGS); its
#                             host:port in ADDR_<NAME>, http://ADDR in
#                             URL_<NAME>, its log in $SUITE_TMP/server-NAME
#   stop_server NAME          that one, ended and waited for
#   stop_servers              every server started (the suite's EXIT trap)
#
# The questions to a server's control API go through server_curl, which a
# suite whose servers want TLS or a client certificate redefines.

PYRO_BIN=""            # the directory holding the pyroserver binary
declare -A SERVER_PID=() # by name

build_pyroserver() {
  PYRO_BIN=$1
  mkdir -p "$PYRO_BIN"
  (cd "$PGO_GO_SRC/tests/pyroserver" && GOTOOLCHAIN=local GOFLAGS= "$REAL_GO" build -o "$PYRO_BIN/pyroserver" .)
}

start_server() {
  local name=$1 dir=$SUITE_TMP/server-$1
  shift
  mkdir -p "$dir"
  "$PYRO_BIN/pyroserver" -addr 127.0.0.1:0 -addr-file "$dir/addr" -control "$@" \
    >"$dir/log" 2>&1 &
  SERVER_PID[$name]=$!
  await_file "$dir/addr" || { echo "pyroserver $name did not start: $(cat "$dir/log")"; return 1; }
  printf -v "ADDR_$name" '%s' "$(cat "$dir/addr")"
  printf -v "URL_$name" 'http://%s' "$(cat "$dir/addr")"
}

stop_server() {
  [[ -n ${SERVER_PID[$1]:-} ]] || return 0
  stop_processes "${SERVER_PID[$1]}"
  unset "SERVER_PID[$1]"
}

stop_servers() {
  stop_processes "${SERVER_PID[@]}"
  SERVER_PID=()
}

server_curl() { curl -sf "$@"; }

# ctl BASE METHOD PATH [JSON]: the control API of the server at BASE.
ctl() {
  server_curl -X "$2" "$1/control/$3" ${4:+-d "$4"} >/dev/null
}

# requests BASE [METHOD]: how many requests (for METHOD) the server has seen
# since its last reset.
requests() {
  server_curl "$1/control/requests${2:+?method=$2}" | grep -c '"seq"'
}

# connections BASE: the connections BASE has accepted, this question's own
# included; connections_since BASE N: those since it said N, neither
# question's own counted (what a client opened in between).
connections() {
  server_curl "$1/control/connections" | sed -n 's/.*"connections": *\([0-9]*\).*/\1/p'
}

connections_since() {
  echo $(($(connections "$1") - $2 - 1))
}

# ingest BASE SERVICE FROM FILE [CURL ARGS…]: a raw pprof into the window
# holding FROM (seconds).
ingest() {
  local base=$1 svc=$2 from=$3 file=$4
  shift 4
  server_curl "$@" --data-binary "@$file" \
    "$base/ingest?format=pprof&name=$svc&from=$from&until=$((from + 10))" >/dev/null
}
