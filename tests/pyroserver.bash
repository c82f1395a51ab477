# Helpers for the suites that run the Pyroscope-compatible test server
# (tests/pyroserver; its README lists the control API used here). Sourced
# by a suite file; everything listens on 127.0.0.1 only.
#
#   build_pyroserver DIR      once, in the suite's setup: DIR/pyroserver
#   start_server NAME ARGS…   a server with the control API; sets URL_<NAME>
#   stop_servers              every server started (the suite's EXIT trap)

PYRO_BIN=""    # the directory holding the pyroserver binary
SERVER_PIDS=()

build_pyroserver() {
  PYRO_BIN=$1
  mkdir -p "$PYRO_BIN"
  (cd "$PGO_GO_SRC/tests/pyroserver" && GOTOOLCHAIN=local GOFLAGS= "$REAL_GO" build -o "$PYRO_BIN/pyroserver" .)
}

# start_server NAME ARGS…: starts pyroserver, sets URL_<NAME>.
start_server() {
  local name=$1 dir=$SUITE_TMP/server-$1
  shift
  mkdir -p "$dir"
  "$PYRO_BIN/pyroserver" -addr 127.0.0.1:0 -addr-file "$dir/addr" -control "$@" \
    >"$dir/log" 2>&1 &
  SERVER_PIDS+=($!)
  await_file "$dir/addr" || { echo "pyroserver $name did not start: $(cat "$dir/log")"; return 1; }
  printf -v "URL_$name" 'http://%s' "$(cat "$dir/addr")"
}

stop_servers() {
  stop_processes "${SERVER_PIDS[@]}"
  SERVER_PIDS=()
}

# ctl BASE METHOD PATH [JSON]: the control API of the server at BASE.
ctl() {
  if [[ -n ${4:-} ]]; then
    curl -sf -X "$2" "$1/control/$3" -d "$4" >/dev/null
  else
    curl -sf -X "$2" "$1/control/$3" >/dev/null
  fi
}

# requests BASE [METHOD]: how many requests (for METHOD) the server has seen
# since its last reset.
requests() {
  curl -sf "$1/control/requests${2:+?method=$2}" | grep -c '"seq"'
}

# ingest BASE SERVICE FROM FILE [CURL ARGS…]: a raw pprof into the window
# holding FROM (seconds).
ingest() {
  local base=$1 svc=$2 from=$3 file=$4
  shift 4
  curl -sf "$@" --data-binary "@$file" \
    "$base/ingest?format=pprof&name=$svc&from=$from&until=$((from + 10))" >/dev/null
}
