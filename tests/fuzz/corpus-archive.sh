#!/usr/bin/env bash
# Writes the seed corpus of fuzz_archive into tests/fuzz/corpus/fuzz_archive/:
# small archives (well under 100 KB) of every kind the walker reads, holding
# the tiny build-info ELFs of tests/tools/mkcrafted: tar (ustar, pax, GNU;
# gzip, bzip2, xz, zstd, lz4), zip, nested archives, docker-save and OCI
# image tarballs with whiteouts, and hostile ones (".." names, symlinks, a
# hard link, a huge size field, deep nesting). Entries carry fixed owners
# and times, so a rerun writes the same bytes (compressors permitting).
#
# Usage: tests/fuzz/corpus-archive.sh   (needs go, tar, zip, python3,
#        gzip, bzip2, xz, zstd; lz4 when present)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus/fuzz_archive
tools=$(cd "$here/../tools" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

GOFLAGS= GOTOOLCHAIN=local go build -C "$tools" -o "$work/bin/" ./mkcrafted ./mkimage
"$work/bin/mkcrafted" "$work/crafted" >/dev/null
c=$work/crafted

tarx() { # OUT DIR [tar options…]: a reproducible tar of DIR's content
  local o=$1 d=$2
  shift 2
  tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner \
    -C "$d" -cf "$o" "$@" .
}

rm -rf "$out"
mkdir -p "$out" "$work/t/bin" "$work/t/share"
cp "$c/pgo-space" "$work/t/bin/app"
cp "$c/build-only" "$work/t/bin/tool.exe"
cp "$c/escapes" "$work/t/share/libx.so.1"
printf 'hello\n' >"$work/t/share/README"
ln -s app "$work/t/bin/link"
ln "$work/t/bin/app" "$work/t/bin/hard"
find "$work/t" -exec touch -h -d @1700000000 {} +

tarx "$out/plain.tar" "$work/t"
tarx "$out/pax.tar" "$work/t" --format=pax
tarx "$out/v7.tar" "$work/t" --format=v7
gzip -9n <"$out/plain.tar" >"$out/plain.tar.gz"
bzip2 -9 <"$out/plain.tar" >"$out/plain.tar.bz2"
xz -9 <"$out/plain.tar" >"$out/plain.tar.xz"
zstd -q -19 <"$out/plain.tar" >"$out/plain.tar.zst"
if command -v lz4 >/dev/null; then lz4 -q -9 <"$out/plain.tar" >"$out/plain.tar.lz4"; fi
(cd "$work/t" && TZ=UTC zip -qrXy "$out/plain.zip" .)

# Nested: a zip in a tar.gz in a tar.
mkdir -p "$work/n1" "$work/n2"
cp "$out/plain.zip" "$work/n1/inner.zip"
cp "$c/modules" "$work/n1/mod"
tarx "$work/n2/mid.tar" "$work/n1"
gzip -9n <"$work/n2/mid.tar" >"$work/n2/mid.tar.gz"
rm "$work/n2/mid.tar"
tarx "$out/nested.tar" "$work/n2"

# Images: three layers; the second deletes a file and empties a directory,
# the third replaces a binary.
mkdir -p "$work/l1/usr/bin" "$work/l1/opt/d" "$work/l2/usr/bin" "$work/l2/opt/d" "$work/l3/usr/bin"
cp "$c/pgo-space" "$work/l1/usr/bin/app"
cp "$c/build-only" "$work/l1/usr/bin/old"
cp "$c/modules" "$work/l1/opt/d/x"
: >"$work/l2/usr/bin/.wh.old"
: >"$work/l2/opt/d/.wh..wh..opq"
cp "$c/quote-values" "$work/l2/usr/bin/tool"
cp "$c/no-path" "$work/l3/usr/bin/tool"
for i in 1 2 3; do tarx "$work/l$i.tar" "$work/l$i"; done
gzip -9n <"$work/l2.tar" >"$work/l2.tar.gz"
zstd -q -19 <"$work/l3.tar" >"$work/l3.tar.zst"
"$work/bin/mkimage" -format docker -o "$out/docker.tar" "$work/l1.tar" "$work/l2.tar" "$work/l3.tar"
"$work/bin/mkimage" -format oci -o "$out/oci.tar" "$work/l1.tar" "$work/l2.tar.gz" "$work/l3.tar.zst"
"$work/bin/mkimage" -format docker25 -nested-index -o "$out/docker25.tar" \
  "$work/l1.tar" "$work/l2.tar" "$work/l1.tar"

# Hostile tars, written by python (tar tools refuse to write them).
python3 - "$out" "$c/pgo-space" <<'EOF'
import io, sys, tarfile
out, app = sys.argv[1], open(sys.argv[2], "rb").read()

def add(t, name, data=b"", typ=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.mode, ti.mtime = typ, link, 0o755, 1700000000
    ti.size = len(data) if typ == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if typ == tarfile.REGTYPE else None)

with tarfile.open(f"{out}/hostile.tar", "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "../../escaped", app)
    add(t, "/abs/app", app)
    add(t, "evil", typ=tarfile.SYMTYPE, link="/tmp")
    add(t, "evil/dropped", app)
    add(t, "bin/x\nfake: go1.0", app)
    add(t, "bin/hard", typ=tarfile.LNKTYPE, link="abs/app")
    add(t, "b\u00efn/\u00fc", app)
ti = tarfile.TarInfo("huge")
ti.size, ti.mode = 2**62, 0o755
open(f"{out}/huge.tar", "wb").write(ti.tobuf(format=tarfile.GNU_FORMAT) + app)
EOF

# Six levels of tar in tar, one more than the walker opens.
cp "$c/pgo-space" "$work/app"
tar --mtime=@1700000000 --owner=0 --group=0 -C "$work" -cf "$work/d6.tar" app
for i in 5 4 3 2 1 0; do
  tar --mtime=@1700000000 --owner=0 --group=0 -C "$work" -cf "$work/d$i.tar" "d$((i + 1)).tar"
done
cp "$work/d0.tar" "$out/deep.tar"

ls -l "$out" | awk 'NR > 1 { if ($5 > 100000) bad = 1; print "  " $5 "\t" $9 } END { exit bad }' ||
  { echo "corpus-archive.sh: a seed is over 100 KB" >&2; exit 1; }
