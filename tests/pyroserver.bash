# Helpers for the suites that run the test server, tests/pyroserver
# (sourced by a suite file: `source "$TESTS_DIR/pyroserver.bash"`).
#
#   pyro_build               builds it into $SUITE_TMP/bin/pyroserver
#   pyro_start NAME ARGS…    starts one on 127.0.0.1 (a free port) with
#                            -control and ARGS; its host:port in
#                            PYRO_ADDR_<NAME>, its log in $SUITE_TMP/server-NAME
#   pyro_stop NAME           stops that one; pyro_stop_all stops them all
#                            (set as the EXIT trap by pyro_build)

declare -A PYRO_PIDS=()

pyro_build() {
  mkdir -p "$SUITE_TMP/bin"
  (cd "$PGO_GO_SRC/tests/pyroserver" && GOTOOLCHAIN=local GOFLAGS= "$REAL_GO" build -o "$SUITE_TMP/bin/pyroserver" .) ||
    { echo "cannot build the test server"; exit 1; }
  trap pyro_stop_all EXIT
}

pyro_start() {
  local name=$1 dir=$SUITE_TMP/server-$1
  shift
  mkdir -p "$dir"
  "$SUITE_TMP/bin/pyroserver" -addr 127.0.0.1:0 -addr-file "$dir/addr" -control "$@" >"$dir/log" 2>&1 &
  PYRO_PIDS[$name]=$!
  for _ in $(seq 200); do [[ -s $dir/addr ]] && break; sleep 0.05; done
  [[ -s $dir/addr ]] || { echo "pyroserver $name did not start: $(cat "$dir/log")"; exit 1; }
  printf -v "PYRO_ADDR_$name" '%s' "$(cat "$dir/addr")"
}

pyro_stop() {
  [[ -n ${PYRO_PIDS[$1]:-} ]] || return 0
  kill "${PYRO_PIDS[$1]}" 2>/dev/null
  wait "${PYRO_PIDS[$1]}" 2>/dev/null
  unset "PYRO_PIDS[$1]"
}

pyro_stop_all() {
  local name
  for name in "${!PYRO_PIDS[@]}"; do pyro_stop "$name"; done
}

# pyro_curl ARGS…: how the helpers below reach a server's control API; a
# suite whose servers want TLS or a client certificate redefines it.
pyro_curl() { curl -sf "$@"; }

# pyro_requests BASE [METHOD]: the API requests (for METHOD) BASE has seen
# since its last reset.
pyro_requests() {
  pyro_curl "$1/control/requests${2:+?method=$2}" | grep -c '"seq"'
}

# pyro_connections BASE: the connections BASE has accepted, this question's
# own included; pyro_connections_since BASE N: those since it said N,
# neither question's own counted (what a client opened in between).
pyro_connections() {
  pyro_curl "$1/control/connections" | sed -n 's/.*"connections": *\([0-9]*\).*/\1/p'
}

pyro_connections_since() {
  echo $(($(pyro_connections "$1") - $2 - 1))
}
