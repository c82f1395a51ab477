#!/bin/sh
# The build-stage commands of examples/Dockerfile, kept in one place: the
# Dockerfile runs this file, and the test suite (tests/suites/fetch.bash,
# "Dockerfile build stage") runs the same file outside Docker, with the same
# variables and the secret as a file. Usage, in the source directory:
#
#   docker-build.sh OUTPUT PACKAGE...
#
# Environment: PGO_GO_URL (the server, from a build argument),
# PGO_GO_TOKEN_FILE (a BuildKit secret mounted as a file), PGO_GO_CACHE_DIR
# (a cache mount, optional), PGO_GO_SERVICE, PGO_GO_REQUIRE (1: no profile,
# no image), PGO_GO_SHIM_DIR (default /opt/pgo-go/shim).
set -eu
out=$1
shift
shim=${PGO_GO_SHIM_DIR:-/opt/pgo-go/shim}

pgo-go install-shim "$shim" >/dev/null
PATH=$shim:$PATH
export PATH

# A missing secret file is no error: the build then asks without a token
# (and fails open if the server wants one).
if [ -n "${PGO_GO_TOKEN_FILE:-}" ] && [ ! -r "$PGO_GO_TOKEN_FILE" ]; then
	unset PGO_GO_TOKEN_FILE
fi

PGO_GO_VERBOSE=1 go build -trimpath -o "$out" "$@"
