#!/usr/bin/env bash
# Prepares, while there is network, what the Docker suite
# (tests/suites/docker.bash) needs to build images offline with a real
# engine. No registry is reachable from the test machines, so the suite makes
# the base images itself, from:
#
#   OUT/rootfs.tar  Debian bookworm (debootstrap --variant=minbase), imported
#                   as debian:bookworm-slim
#   OUT/apt/        a flat apt repository of every package the suite's
#                   Dockerfiles install (their `apt-get install` lines) and
#                   of the dependencies the root file system lacks
#
#   scripts/docker-base.sh OUT
#
# Needs root (debootstrap, chroot); without it, says so and prepares nothing
# (the suite then skips). Run again with the same Dockerfiles, it does
# nothing. DEBIAN_MIRROR: default http://deb.debian.org/debian.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ $(id -u) != 0 ]] || ! command -v debootstrap >/dev/null; then
  echo "docker-base: needs root and debootstrap: the docker suite will skip"
  exit 0
fi

# Every package name in the `apt-get install` commands, continuation lines
# joined: the Dockerfiles stay the one list.
packages=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' \
  "$root/examples/Dockerfile" "$root"/tests/docker/*.Dockerfile |
  grep -o 'apt-get install[^&;]*' | tr -s ' ' '\n' |
  grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vx -e apt-get -e install | sort -u | tr '\n' ' ')
stamp="bookworm $mirror $packages"
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" ]]; then
  echo "docker-base: $out is up to date"
  exit 0
fi

rm -rf "$out"
mkdir -p "$out/apt"
rootfs=$out/rootfs
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
  { tail -n 20 "$out/debootstrap.log"; exit 1; }

# What apt would fetch to install them all on this root file system (not
# the packages debootstrap leaves behind, which are installed already).
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
rm -f "$rootfs"/var/cache/apt/archives/*.deb
# shellcheck disable=SC2086 # one word per package
chroot "$rootfs" apt-get install --download-only -y -qq --no-install-recommends $packages >/dev/null
mv "$rootfs"/var/cache/apt/archives/*.deb "$out/apt/"
for deb in "$out"/apt/*.deb; do
  dpkg-deb -f "$deb"
  printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "${deb##*/}" "$(stat -c %s "$deb")" \
    "$(sha256sum "$deb" | cut -d' ' -f1)"
done >"$out/apt/Packages"

# As debian:bookworm-slim ships: no package lists, no package files.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
: >"$rootfs/etc/resolv.conf"
tar -C "$rootfs" -cf "$out/rootfs.tar" .
rm -rf "$rootfs"
echo "$stamp" >"$out/stamp"
echo "docker-base: $out: rootfs.tar ($(du -sh "$out/rootfs.tar" | cut -f1)), apt/ ($(ls "$out"/apt/*.deb | wc -l) packages, $(du -sh "$out/apt" | cut -f1))"
