#!/usr/bin/env bash
# `pgo-go verify IMAGE.tar` against what one does without it: extract the
# image with tar, unpack every layer into a root file system, and run
# `go version -m` on the tree. The image (about 1 GB) is generated in a
# temporary directory and removed afterwards; it holds four layers: the C
# programs and libraries of this machine, tens of thousands of small text
# files, large incompressible data files, and a few Go binaries (the Go
# toolchain's own) with a whiteout. Two layouts are measured: `docker save`
# (uncompressed layers) and an OCI layout with gzip-compressed layers.
#
# Wall time and peak memory come from /usr/bin/time -v, median of RUNS
# (default 3) runs with the image in the page cache; the last lines give the
# ratios (tar + go over pgo-go).
#
#   bench/archive.sh [PGO_GO_BINARY]     (BENCH_DIR: where the image goes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgo=$(realpath "${1:-$("$root/scripts/build.sh" | tail -1)}")
runs=${RUNS:-3}
[[ -x /usr/bin/time ]] || { echo "bench/archive.sh: /usr/bin/time is needed (Debian: time)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/pgo-go-bench-archive.XXXXXX")
trap 'rm -rf "$work"' EXIT
goroot=$(go env GOROOT)
tools=$goroot/pkg/tool/$(go env GOOS)_$(go env GOARCH)

GOFLAGS= go build -C "$root/tests/tools" -o "$work/" ./mkimage

# ---------------------------------------------------------------- the image

# Layer tars written by python straight from memory: no tree on disk.
python3 - "$work" "$goroot/bin/go" "$goroot/bin/gofmt" "$tools/compile" "$tools/link" \
  "$tools/vet" "$tools/asm" <<'EOF'
import io, os, random, sys, tarfile
work, gobins = sys.argv[1], sys.argv[2:]
rnd = random.Random(1)
words = "profile guided optimization build cache layer image binary service".split()

def add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), 0o755, 1700000000
    t.addfile(ti, io.BytesIO(data))

def text(n):
    return (" ".join(rnd.choice(words) for _ in range(n // 8)) + "\n").encode()

def elf_files(limit):
    total = 0
    for d in ("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            with open(p, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            size = os.path.getsize(p)
            if p in gobins or size > 64 << 20 or total + size > limit:
                continue
            total += size
            yield p.lstrip("/"), open(p, "rb").read()

with tarfile.open(f"{work}/l1.tar", "w") as t:   # this machine's C programs, docs
    for name, data in elf_files(250 << 20):
        add(t, name, data)
    for i in range(30000):
        add(t, f"usr/share/doc/pkg{i // 100}/file{i}.txt", text(rnd.randint(200, 6000)))
with tarfile.open(f"{work}/l2.tar", "w") as t:   # data files
    for i in range(12):
        add(t, f"var/lib/data/blob{i}.bin", os.urandom(rnd.randint(20, 45) << 20))
    for i in range(10000):
        add(t, f"srv/static/asset{i}.css", text(rnd.randint(500, 4000)))
with tarfile.open(f"{work}/l3.tar", "w") as t:   # the service: Go binaries
    for i, p in enumerate(gobins):
        add(t, f"usr/local/bin/{os.path.basename(p)}", open(p, "rb").read())
    add(t, "usr/share/doc/pkg0/.wh.file0.txt", b"")
    for i in range(5000):
        add(t, f"app/templates/t{i}.html", text(rnd.randint(300, 3000)))
with tarfile.open(f"{work}/l4.tar", "w") as t:   # more data
    for i in range(6):
        add(t, f"opt/models/m{i}.bin", os.urandom(25 << 20))
EOF
for l in l1 l2 l3 l4; do gzip -1 -c "$work/$l.tar" >"$work/$l.tar.gz"; done
"$work/mkimage" -format docker -o "$work/docker.tar" "$work"/l{1,2,3,4}.tar
"$work/mkimage" -format oci -o "$work/oci.tar" "$work"/l{1,2,3,4}.tar.gz
rm -f "$work"/l?.tar "$work"/l?.tar.gz

# ---------------------------------------------------------------- measuring

# The baseline, one shell: unpack the tarball, apply the layers in order
# (as the manifest lists them), then go version -m over the root.
cat >"$work/tar-and-go.sh" <<'EOF'
set -e
img=$1 x=$2
rm -rf "$x" && mkdir -p "$x/img" "$x/root"
tar -xf "$img" -C "$x/img"
for l in $(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$x/img/manifest.json" 2>/dev/null ||
  python3 -c '
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
man = json.load(open(d + "/blobs/" + idx["manifests"][0]["digest"].replace(":", "/")))
print(" ".join("blobs/" + l["digest"].replace(":", "/") for l in man["layers"]))' "$x/img"); do
  tar -xf "$x/img/$l" -C "$x/root"
done
go version -m "$x/root" >/dev/null
EOF

# measure LABEL CMD…: prints and sets $SECS (median wall seconds) and $KB
# (largest peak RSS) over $runs runs.
measure() {
  local label=$1 i secs=() rss=0 r
  shift
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || true
    secs+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + t[k]; print s }' "$work/time.txt")")
    r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    ((r > rss)) && rss=$r
  done
  SECS=$(printf '%s\n' "${secs[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  KB=$rss
  awk -v l="$label" -v s="$SECS" -v k="$KB" 'BEGIN { printf "   %-26s %8.2f s %9.1f MiB\n", l, s, k / 1024 }'
}

for layout in docker oci; do
  img=$work/$layout.tar
  cat "$img" >/dev/null
  echo "== $layout layout: $(du -h "$img" | cut -f1) image, $(tar -tf "$img" | wc -l) entries"
  "$pgo" verify "$img" | sed 's/^/   /' | cut -c1-150 || true
  measure "pgo-go verify" "$pgo" verify "$img"
  verify_s=$SECS verify_kb=$KB
  measure "pgo-go version -m" "$pgo" version -m "$img"
  measure "tar -x + go version -m" bash "$work/tar-and-go.sh" "$img" "$work/x"
  rm -rf "$work/x"
  awk -v t="$SECS" -v p="$verify_s" -v tm="$KB" -v pm="$verify_kb" 'BEGIN {
    printf "   ratio (tar -x + go version -m) / (pgo-go verify): time %.1fx, peak memory %.1fx\n", t / p, tm / pm }'
done
