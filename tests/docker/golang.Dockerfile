# A stand-in for the official golang:1.26-bookworm image, which the suite
# (tests/suites/docker.bash) cannot pull: no registry is reachable from the
# test machines. Built on the suite's debian:bookworm-slim, with this
# machine's Go toolchain as the build context. Like the official image: the
# tools buildpack-deps adds that Go builds use (ca-certificates, curl, git),
# gcc for cgo, Go in /usr/local/go, GOPATH=/go, GOTOOLCHAIN=local. Unlike it:
# apt and the Go module proxy are the suite's mirrors on loopback (MIRROR),
# since the builds have no other network.
FROM debian:bookworm-slim
ARG MIRROR
RUN echo "deb [trusted=yes] $MIRROR/apt ./" >/etc/apt/sources.list \
 && apt-get update && apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
      ca-certificates curl git gcc libc6-dev make pkg-config netbase procps \
 && rm -rf /var/lib/apt/lists/*
COPY . /usr/local/go
ENV GOTOOLCHAIN=local GOPATH=/go GOPROXY=$MIRROR/goproxy \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /go
