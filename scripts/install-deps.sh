#!/usr/bin/env bash
# Installs every build and test dependency of pgo-go from Debian's packages
# (Ubuntu's have the same names). Safe to run again: packages already
# present are left as they are.
#
#   scripts/install-deps.sh               what building and testing need
#   scripts/install-deps.sh --build-only  what building pgo-go needs (the
#                                         GitHub action, action.yml)
set -euo pipefail

packages=(
  cmake ninja-build pkg-config gcc
  libcurl4-openssl-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev
  libarchive-dev libinih-dev libjansson-dev nettle-dev
)
if [[ ${1:-} != --build-only ]]; then
  packages+=(
    clang libclang-rt-14-dev clang-format libcmocka-dev curl
    hyperfine valgrind file time jq python3 python3-yaml zstd xz-utils bzip2 zip unzip
    iproute2 util-linux debootstrap
  )
  # The docker suite's engine; a machine with another one (docker-ce, which
  # conflicts with docker.io) keeps it, and the suite says what it lacks.
  command -v dockerd >/dev/null || packages+=(docker.io)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ ${1:-} == --build-only ]] && exit 0
command -v go >/dev/null || {
  echo "install-deps: no 'go' on PATH; pgo-go's tests need a Go toolchain (1.26)" >&2
  exit 1
}
