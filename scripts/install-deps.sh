#!/usr/bin/env bash
# Installs every build and test dependency of pgo-go from Debian's packages.
# Safe to run again: packages already present are left as they are.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config gcc clang libclang-rt-14-dev clang-format
  libcurl4-openssl-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev
  libarchive-dev libinih-dev libjansson-dev libcmocka-dev nettle-dev curl
  hyperfine valgrind file time jq python3 zstd xz-utils bzip2 zip unzip
  iproute2 util-linux
)

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

command -v go >/dev/null || {
  echo "install-deps: no 'go' on PATH; pgo-go's tests need a Go toolchain (1.26)" >&2
  exit 1
}
