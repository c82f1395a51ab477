# examples/Dockerfile and a user-style Dockerfile (examples/quickstart)
# built by a real Docker engine: Debian's docker.io (dockerd 20.10 with
# BuildKit built in, driven by its own CLI with DOCKER_BUILDKIT=1), started
# by the suite with a data root of its own and, under scripts/test.sh, no
# network but loopback. The README's "Dockerfile builds" commands are the
# ones run here.
#
# No registry is reachable, so the suite makes the base images the
# Dockerfiles name: debian:bookworm-slim imported from the root file system
# scripts/docker-base.sh made while there was network, golang:1.26-bookworm
# built on it (tests/docker/golang.Dockerfile) with this machine's Go. Their
# apt and module proxy are mirrors the suite serves on loopback (the packages
# docker-base.sh downloaded; the module cache), so the Dockerfiles run as
# they are, with --network host since the daemon has no bridge. Every build
# gets the token as a BuildKit secret file and keeps the profile cache in a
# cache mount; the profiles come from the test server (tests/pyroserver).
#
# The suite ends with its figures: build times, disk used.

# shellcheck source=tests/pyroserver.bash
source "$TESTS_DIR/pyroserver.bash"

# Debian's CLI: a newer client first on PATH (/usr/local/bin/docker on some
# machines) does BuildKit builds only through the buildx plugin.
DOCKER=/usr/bin/docker
DOCKER_WORK=${PGO_GO_DOCKER_DIR:-}  # the base files (base/), the daemon's data
TOKEN=tok-DOCKER-k4Vz93             # the Pyroscope token, a BuildKit secret
TOKEN_FORMS=()                      # every form of it a leak could take
FIGURES=()                          # "what: value" lines for the end

SUITE_docker_PROBE() {
  if [[ $(id -u) != 0 ]]; then
    echo "not root: dockerd needs root"
  elif ! command -v dockerd >/dev/null || [[ ! -x $DOCKER ]]; then
    echo "no Docker engine (Debian's docker.io, which scripts/install-deps.sh installs)"
  elif ! unshare --mount true 2>/dev/null; then
    echo "cannot make a mount namespace: no daemon can run here"
  elif ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
    echo "no overlay file system for dockerd's overlay2 (vfs would copy every layer: about 12 GB)"
  elif [[ -z $DOCKER_WORK || ! -f $DOCKER_WORK/base/stamp ]]; then
    echo "no base files in '$DOCKER_WORK/base' (scripts/docker-base.sh makes them; it needs the network)"
  fi
}

# ---------------------------------------------------------------- the daemon

DOCKER_RUN=""   # this run's data root and daemon files, removed at the end
DOCKER_SOCKS="" # its sockets: a short path, as unix sockets need

# start_dockerd: a daemon of the suite's own, in a mount namespace of its
# own, so that its overlay mounts, /run/docker and /etc/docker/key.json never
# reach the machine's and vanish with it, whatever way it ends.
start_dockerd() {
  DOCKER_RUN=$(mktemp -d "$DOCKER_WORK/run.XXXXXX")
  DOCKER_SOCKS=$(mktemp -d /tmp/pgo-go-dockerd.XXXXXX)
  echo "$DOCKER_SOCKS" >"$DOCKER_RUN/socks"
  echo '{}' >"$DOCKER_RUN/daemon.json"
  mkdir -p /run/docker /etc/docker
  unshare --mount --propagation private sh -c \
    'mount -t tmpfs tmpfs /run/docker && mount -t tmpfs tmpfs /etc/docker && exec "$@"' dockerd \
    dockerd --config-file "$DOCKER_RUN/daemon.json" --data-root "$DOCKER_RUN/data" \
    --exec-root "$DOCKER_SOCKS/exec" --pidfile "$DOCKER_SOCKS/dockerd.pid" \
    -H "unix://$DOCKER_SOCKS/docker.sock" --storage-driver overlay2 \
    --iptables=false --ip6tables=false --ip-forward=false --bridge=none \
    >"$DOCKER_RUN/dockerd.log" 2>&1 &
  export DOCKER_HOST=unix://$DOCKER_SOCKS/docker.sock DOCKER_CONFIG=$DOCKER_RUN/cli
  local pid=$!
  for _ in $(seq 120); do
    "$DOCKER" version >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd did not start:"
  tail -n 20 "$DOCKER_RUN/dockerd.log"
  return 1
}

# running PIDFILE TEXT: the process PIDFILE names runs, with TEXT in its
# command line (a stale pid file may name another process by now).
running() {
  local pid
  pid=$(cat "$1" 2>/dev/null) && grep -qF -- "$2" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# stop_dockerd RUN: the daemon of RUN (this run's, or one a killed run left)
# and its containerd stopped, RUN and the daemon's sockets removed.
stop_dockerd() {
  local run=$1 socks pid
  socks=$(cat "$run/socks" 2>/dev/null)
  if pid=$(running "$socks/dockerd.pid" "$run/data"); then
    kill "$pid"
    for _ in $(seq 60); do running "$socks/dockerd.pid" "$run/data" >/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
  fi
  if pid=$(running "$socks/exec/containerd/containerd.pid" "$socks/"); then
    kill -9 "$pid"
  fi
  rm -rf "$run" ${socks:+"$socks"}
}

# ---------------------------------------------------------------- the mirrors

MIRROR_PID=""

# start_mirror: the apt repository and the module cache over HTTP on
# loopback, as $MIRROR/apt and $MIRROR/goproxy (a module cache's download
# directory is a module proxy's file layout).
start_mirror() {
  local dir=$SUITE_TMP/mirror
  mkdir -p "$dir"
  ln -s "$DOCKER_WORK/base/apt" "$dir/apt"
  ln -s "$(GOTOOLCHAIN=local "$REAL_GO" env GOMODCACHE)/cache/download" "$dir/goproxy"
  python3 -u -m http.server --bind 127.0.0.1 --directory "$dir" 0 >"$SUITE_TMP/mirror.log" 2>&1 &
  MIRROR_PID=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$SUITE_TMP/mirror.log")
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { echo "the mirror did not start: $(cat "$SUITE_TMP/mirror.log")"; return 1; }
  MIRROR=http://127.0.0.1:$port
}

cleanup() {
  [[ -z $DOCKER_RUN ]] || stop_dockerd "$DOCKER_RUN"
  [[ -z $MIRROR_PID ]] || stop_processes "$MIRROR_PID"
  stop_servers
}

# ---------------------------------------------------------------- builds

# dbuild NAME ARGS…: `DOCKER_BUILDKIT=1 docker build --network host ARGS`
# in the current directory, the log in $RUN_ERR, the seconds it took in
# FIGURES as NAME.
dbuild() {
  local name=$1 t0=$SECONDS
  shift
  # The suite's server holds the fixture profile, a `go test` profile of
  # another program, which the fit would rightly call stale (the fit suite
  # tests that): the builds here leave the fit unjudged.
  DOCKER_BUILDKIT=1 TEST_TIMEOUT=1200 run "$DOCKER" build --progress=plain --network host \
    --build-arg PGO_GO_MIN_FIT=0 "$@"
  BUILD_SECS=$((SECONDS - t0))
  FIGURES+=("$name: ${BUILD_SECS} s")
}

# rideshare_build NAME ARGS…: dbuild of examples/Dockerfile from the
# repository root, as the README shows it, with the secret.
rideshare_build() {
  local name=$1
  shift
  cd "$PGO_GO_SRC" || return
  dbuild "$name" -f examples/Dockerfile --secret "id=pyroscope_token,src=$SUITE_TMP/token" "$@" .
  cd "$TEST_DIR" || return
}

# recorded_profile: the -pgo the build log's verify line names, or nothing.
recorded_profile() {
  sed -n 's|^#[0-9]* [0-9.]* /out/[a-z]*: verified (-pgo=\([0-9a-f]\{64\}\.pgo\))$|\1|p' "$RUN_ERR"
}

# expected_profile ARGS…: EXPECTED becomes the file name of the profile
# `pgo-go fetch ARGS` gets on the host, with the token of the builds: the
# one the image's binary must record. The hold at its default, as in the
# image.
expected_profile() {
  PGO_GO_TOKEN_FILE=$SUITE_TMP/token run env -u PGO_GO_HOLD "$PGO_GO_BIN" fetch "$@" -o expected.pgo
  expect_exit 0
  EXPECTED=$(sha256sum expected.pgo | cut -d' ' -f1).pgo
}

# save_verify IMAGE ARGS…: `docker save IMAGE | pgo-go verify ARGS /dev/stdin`.
save_verify() {
  local image=$1
  shift
  run sh -c 'docker=$1 image=$2 pgo_go=$3 && shift 3 && "$docker" save "$image" | "$pgo_go" verify "$@" /dev/stdin' \
    - "$DOCKER" "$image" "$PGO_GO_BIN" "$@"
}

# expect_cached REGEX: the last build had steps whose header (`#N [stage
# i/n] INSTRUCTION`) matches the extended REGEX, and took each from the
# layer cache.
expect_cached() {
  local verdict
  verdict=$(RE=$1 awk '$1 ~ /^#[0-9]+$/ && $0 ~ ENVIRON["RE"] { step[$1] = $0; seen++ }
    /^#[0-9]+ CACHED$/ { delete step[$1] }
    END { if (!seen) print "none"; for (s in step) print step[s] }' "$RUN_ERR")
  [[ -z $verdict ]] || test_failed "steps /$1/ not from the layer cache:" "$verdict"
}

# expect_warnings N: the build log holds N warnings of pgo-go.
expect_warnings() {
  expect_equal "$(grep -c 'pgo-go: warning:' "$RUN_ERR")" "$1" "warnings in the build log"
}

# expect_no_token FILE|DIR WHAT: no form of the token in FILE or in any
# file under DIR.
expect_no_token() {
  local patterns=() form
  for form in "${TOKEN_FORMS[@]}"; do patterns+=(-e "$form"); done
  if grep -raqF "${patterns[@]}" -- "$1"; then
    test_failed "$2 holds the token"
  fi
}

# the hour (the profile window, PGO_GO_WINDOW=1h) the machine is in now
hour() { echo $(($(date +%s) / 3600)); }

# ---------------------------------------------------------------- setup

SUITE_docker_SETUP() {
  local t0=$SECONDS
  trap cleanup EXIT
  trap 'exit 1' INT TERM
  printf '%s' "$TOKEN" >"$SUITE_TMP/token"
  chmod 600 "$SUITE_TMP/token"
  # as the secrets suite looks for secrets: as set, and base64-encoded
  TOKEN_FORMS=("$TOKEN" "$(printf '%s' "$TOKEN" | base64)")

  build_pyroserver "$SUITE_TMP/bin" || { echo "cannot build the test server"; exit 1; }
  start_server auth -tenant-required -bearer "$TOKEN" || exit 1
  start_server plain || exit 1
  # A CPU profile in the last closed hour, the window builds ask for.
  local now past
  now=$(date +%s)
  past=$((now - now % 3600 - 1800))
  local svc
  for svc in ride-sharing-app quickstart; do
    ingest "$URL_auth" "$svc" "$past" "$FIXTURES/cpu.pprof" \
      -H 'X-Scope-OrgID: acme' -H "Authorization: Bearer $TOKEN"
  done
  ingest "$URL_plain" ride-sharing-app "$past" "$FIXTURES/cpu.pprof"

  start_mirror || exit 1
  local stale
  for stale in "$DOCKER_WORK"/run.*; do
    [[ -d $stale ]] && stop_dockerd "$stale"
  done
  start_dockerd || exit 1
  "$DOCKER" import -c 'CMD ["bash"]' "$DOCKER_WORK/base/rootfs.tar" debian:bookworm-slim >/dev/null ||
    { echo "cannot import the root file system"; exit 1; }
  local goroot
  goroot=$(GOTOOLCHAIN=local "$REAL_GO" env GOROOT)
  DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain --network host --build-arg "MIRROR=$MIRROR" \
    -f "$TESTS_DIR/docker/golang.Dockerfile" -t golang:1.26-bookworm "$goroot" >"$SUITE_TMP/golang.log" 2>&1 ||
    { echo "cannot build golang:1.26-bookworm:"; tail -n 30 "$SUITE_TMP/golang.log"; exit 1; }
  FIGURES+=("setup (servers, daemon, base images): $((SECONDS - t0)) s")
}

# ---------------------------------------------------------------- tests

SUITE_docker() {
  TEST "no server: the build succeeds without PGO, one warning; PGO_GO_REQUIRE=1 fails it"
  rideshare_build "cold build, everything (no server)" -t rideshare-nopgo \
    --build-arg PGO_GO_URL=http://127.0.0.1:9
  expect_exit 0
  expect_warnings 1
  expect_line "$RUN_ERR" "^#[0-9]+ [0-9.]+ pgo-go: warning: no profile for service 'ride-sharing-app': .*127\.0\.0\.1:9.*; building without PGO$"
  expect_line "$RUN_ERR" "^#[0-9]+ [0-9.]+ /out/rideshare: no PGO: built without -pgo$"
  "$DOCKER" save rideshare-nopgo >nopgo.tar
  run "$PGO_GO_BIN" verify nopgo.tar
  expect_exit 1
  expect_line "$RUN_OUT" '!/usr/local/bin/rideshare: no PGO: built without -pgo$'
  rideshare_build "PGO_GO_REQUIRE=1, no server" -t rideshare-required \
    --build-arg PGO_GO_URL=http://127.0.0.1:9 --build-arg PGO_GO_REQUIRE=1
  expect_exit 1
  expect_line "$RUN_ERR" "^#[0-9]+ [0-9.]+ pgo-go: no profile for service 'ride-sharing-app' and PGO_GO_REQUIRE is set: "
  expect_line "$RUN_ERR" '^executor failed running .*go build .*: exit code: 1$'
  "$DOCKER" image inspect rideshare-required >/dev/null 2>&1 && test_failed "a failed build made an image"

  TEST "Pyroscope on loopback, tenant and token: the binary records the profile, verified"
  ctl "$URL_auth" POST reset
  local hour0
  hour0=$(hour)
  rideshare_build "cold build (pgo-go's stages cached), Pyroscope" -t rideshare \
    --build-arg PGO_GO_URL="$URL_auth" --build-arg PGO_GO_TENANT_ID=acme
  expect_exit 0
  expect_warnings 0
  local pyro_profile
  pyro_profile=$(recorded_profile)
  [[ -n $pyro_profile ]] || test_failed "no verify line in the build log:" "$(tail -n 20 "$RUN_ERR")"
  # The hold's walk from midnight on a cold cache (tests/suites/hold.bash):
  # the newest window, and before it, when it is not the first of the day,
  # the day's start (its window, then the day before it at once) and the
  # windows between at once: no samples there.
  local queries
  queries=$(requests "$URL_auth" SelectMergeProfile)
  ((queries >= 1 && queries <= 4)) || test_failed "SelectMergeProfile requests: $queries, expected 1 to 4"
  curl -sf "$URL_auth/control/requests?method=SelectMergeProfile" | tr -d ' \n' >log.json
  expect_contains log.json '"X-Scope-Orgid":["acme"]'
  expect_contains log.json '"authorization_scheme":"Bearer"'
  PGO_GO_TENANT_ID=acme expected_profile --url "$URL_auth" --service ride-sharing-app
  expect_equal "$pyro_profile" "$EXPECTED" "the profile the binary records"

  TEST "a second build, no change: the layer cache holds, no request"
  ctl "$URL_auth" POST reset
  local before
  before=$("$DOCKER" image inspect -f '{{.Id}}' rideshare)
  rideshare_build "warm build, no change" -t rideshare \
    --build-arg PGO_GO_URL="$URL_auth" --build-arg PGO_GO_TENANT_ID=acme
  expect_exit 0
  expect_equal "$("$DOCKER" image inspect -f '{{.Id}}' rideshare)" "$before" "the image"
  expect_cached '^#[0-9]+ \[[^]]*\] (RUN|COPY|WORKDIR) '
  expect_equal "$(requests "$URL_auth")" 0 "requests to the server"

  TEST "a source change: go build runs again, the profile from the cache mount, no request"
  ctl "$URL_auth" POST reset
  mkdir ctx
  tar -C "$PGO_GO_SRC" -c .dockerignore CMakeLists.txt buildinfo fetch proto wrapper examples | tar -C ctx -x
  local round
  for round in 1 2; do
    echo "// changed by the docker suite: round $round" >>ctx/examples/rideshare/cmd/rideshare/main.go
    cd ctx || return
    dbuild "after a source change" -f examples/Dockerfile --secret "id=pyroscope_token,src=$SUITE_TMP/token" \
      -t rideshare-changed --build-arg PGO_GO_URL="$URL_auth" --build-arg PGO_GO_TENANT_ID=acme .
    cd "$TEST_DIR" || return
    # A new hour since the cold build is a new window, rightly asked for:
    # one round more, in the hour that one cached.
    [[ $(hour) == "$hour0" ]] && break
    echo "the hour turned since the cold build: building again"
    hour0=$(hour)
    ctl "$URL_auth" POST reset
  done
  expect_exit 0
  expect_equal "$(recorded_profile)" "$pyro_profile" "the profile the changed binary records"
  expect_cached '^#[0-9]+ \[pgo-go-build [0-9]+/[0-9]+\] (RUN|COPY) '
  expect_equal "$(requests "$URL_auth")" 0 "requests to the server"

  TEST "a raw pprof URL (PGO_GO_PPROF_URL): the binary records its profile, verified"
  ctl "$URL_plain" POST reset
  local url="$URL_plain/debug/pprof/profile?seconds=1&service=ride-sharing-app"
  rideshare_build "cold build (pgo-go's stages cached), pprof URL" -t rideshare-pprof \
    --build-arg PGO_GO_PPROF_URL="$url"
  expect_exit 0
  expect_warnings 0
  expect_equal "$(requests "$URL_plain" Pprof)" 1 "pprof requests"
  expect_equal "$(requests "$URL_plain" SelectMergeProfile)" 0 "SelectMergeProfile requests"
  local recorded
  recorded=$(recorded_profile)
  expected_profile --pprof-url "$url"
  expect_equal "$recorded" "$EXPECTED" "the profile the binary records"

  TEST "docker save | pgo-go verify, and the engine's OCI export: the binary, in the top layer, verified"
  "$DOCKER" save rideshare >saved.tar
  save_verify rideshare --profile "$pyro_profile"
  expect_exit 0
  local top
  top=$(tar -xOf saved.tar manifest.json | jq -r '.[0].Layers[-1]')
  expect_stdout "/dev/stdin!/$top!/usr/local/bin/rideshare: verified (-pgo=$pyro_profile)"
  run "$PGO_GO_BIN" verify -json saved.tar
  expect_exit 0
  expect_equal "$(jq -r '.[] | "\(.status) \(.layer)/\(.layers) \(.layer_name)"' "$RUN_OUT")" \
    "verified 2/2 $top" "the binary's layer (docker save)"
  # The OCI layout, as the engine's containerd exports the same image.
  local ctr=(ctr -a "$DOCKER_SOCKS/exec/containerd/containerd.sock" -n pgo-go-test)
  "${ctr[@]}" images import saved.tar >/dev/null &&
    "${ctr[@]}" images export oci.tar docker.io/library/rideshare:latest ||
    test_failed "containerd could not import and export the image"
  top=$("$DOCKER" image inspect -f '{{json .RootFS.Layers}}' rideshare | jq -r '.[-1]')
  run "$PGO_GO_BIN" verify -json --path /usr/local/bin/rideshare oci.tar
  expect_exit 0
  expect_equal "$(jq -r '.[] | "\(.status) \(.layer)/\(.layers) \(.layer_name) \(.pgo)"' "$RUN_OUT")" \
    "verified 2/2 blobs/sha256/${top#sha256:} $pyro_profile" "the binary's layer (OCI)"

  TEST "the token reaches no image and nothing the daemon keeps"
  local image
  for image in rideshare rideshare-changed rideshare-pprof; do
    expect_no_token <("$DOCKER" save "$image") "docker save $image"
  done
  # The build stage too (its layers are in the builder's cache), and every
  # file of the data root: layers, cache mounts, BuildKit's records.
  cd "$PGO_GO_SRC" || return
  DOCKER_BUILDKIT=1 "$DOCKER" build -q --network host -f examples/Dockerfile --target build -t rideshare-build \
    --build-arg PGO_GO_URL="$URL_auth" --build-arg PGO_GO_TENANT_ID=acme . >/dev/null
  cd "$TEST_DIR" || return
  expect_no_token <("$DOCKER" save rideshare-build) "docker save of the build stage"
  expect_no_token "$DOCKER_RUN/data" "the data root"

  TEST "a user's Dockerfile with the README's lines (examples/quickstart): verified"
  local readme=$PGO_GO_SRC/README.md dockerfile=$PGO_GO_SRC/examples/quickstart/Dockerfile line
  # the recipe: the README's Dockerfile lines between its markers
  sed -n '/^<!-- recipe: begin -->/,/^<!-- recipe: end -->/p' "$readme" |
    sed -n '/^```dockerfile/,/^```$/p' | grep -v '^```' >recipe
  expect_equal "$(wc -l <recipe)" 11 "lines of the README's recipe"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$dockerfile" || test_failed "examples/quickstart/Dockerfile lacks: $line"
  done <recipe
  cd "$PGO_GO_SRC" || return
  dbuild "pgo-go image (--target pgo-go)" -f examples/Dockerfile --target pgo-go -t pgo-go .
  expect_exit 0
  dbuild "quickstart, cold" -t quickstart --build-arg PGO_GO_URL="$URL_auth" \
    --build-arg PGO_GO_TENANT_ID=acme --secret "id=pyroscope_token,src=$SUITE_TMP/token" examples/quickstart
  expect_exit 0
  cd "$TEST_DIR" || return
  expect_warnings 0
  save_verify quickstart
  expect_exit 0
  local recorded_qs
  # without -trimpath, the profile's path in the cache mount
  recorded_qs=$(sed -n 's|.*!/usr/local/bin/quickstart: verified (-pgo=/root/.cache/pgo-go/profiles/\(.*\))$|\1|p' "$RUN_OUT")
  PGO_GO_TENANT_ID=acme expected_profile --url "$URL_auth" --service quickstart
  expect_equal "$recorded_qs" "$EXPECTED" "the profile the binary records"
  run "$DOCKER" run --rm --network none quickstart 1000
  expect_exit 0
  expect_line "$RUN_OUT" '^[0-9]+$'

  _end_test
  FIGURES+=("disk: data root $(du -sh "$DOCKER_RUN/data" | cut -f1), base files $(du -sh "$DOCKER_WORK/base" | cut -f1)")
  echo
  echo "Figures:"
  printf '  %s\n' "${FIGURES[@]}"
}
