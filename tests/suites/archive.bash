# Archives and container images named on the command line of `pgo-go
# version` and `pgo-go verify`: every Go binary member is printed in go's
# format with `ARCHIVE!/path` (nested: `A!/layer!/path`) as its name, and
# must print exactly what `go version -m` prints for the same file extracted
# by tar or unzip. Images (built here by tests/tools/mkimage from layer tars)
# list members layer by layer; binaries that a later layer deletes or
# replaces get a note on stderr instead. Bad archives end in one clear line
# `NAME: libarchive's message` and exit status 1, in bounded time and memory.

SUITE_archive_PROBE() {
  local t
  for t in python3 gzip bzip2 xz zstd zip unzip; do
    command -v "$t" >/dev/null || {
      echo "$t is needed to build the test archives"
      return
    }
  done
}

SUITE_archive_SETUP() {
  # The release of the toolchain (the fixtures') and of the crafted files.
  GO_RELEASE=$("$REAL_GO" env GOVERSION)
  CRAFTED_RELEASE=$("$REAL_GO" version "$FIXTURES/crafted/pgo-space" | sed 's/.*: //')
  mkdir -p "$SUITE_TMP/tools"
  MKIMAGE=$SUITE_TMP/tools/mkimage
  GOFLAGS= GOENV=off GOTOOLCHAIN=local GOPROXY=off GOCACHE=$SUITE_GOCACHE \
    "$REAL_GO" build -C "$PGO_GO_SRC/tests/tools" -o "$SUITE_TMP/tools/" ./mkimage ||
    echo "archive suite: cannot build tests/tools/mkimage: every image test will fail" >&2
  local b=$FIXTURES/bin

  # A release tree: Go binaries of several formats, and files that are not.
  REL=$SUITE_TMP/rel
  mkdir -p "$REL/bin" "$REL/lib" "$REL/share"
  cp "$b/linux-amd64/app-pgo" "$REL/bin/app"
  ln "$REL/bin/app" "$REL/bin/app-hard"
  cp "$b/darwin-arm64/app-ldflags" "$REL/bin/app-darwin"
  cp "$b/windows-amd64/app-pgo-trimpath.exe" "$REL/bin/app.exe"
  cp "$b/fat/app-universal" "$REL/bin/app-universal"
  cp "$b/linux-amd64/libapp.so" "$REL/lib/libapp.so"
  cp "$FIXTURES/old/elf32-be" "$REL/lib/old"
  cp "$FIXTURES/crafted/escapes" "$REL/lib/escapes"
  printf 'hello\n' >"$REL/share/README"
  gzip -c "$REL/share/README" >"$REL/share/README.gz"
  : >"$REL/share/empty"

  # Image layers. Layer 2 deletes /usr/bin/old (whiteout) and the content
  # of /opt/data (opaque directory); layer 3 replaces layer 2's tool.
  LAYERS=$SUITE_TMP/layers
  local l1=$LAYERS/1 l2=$LAYERS/2 l3=$LAYERS/3 nest=$LAYERS/nested
  mkdir -p "$l1/usr/local/bin" "$l1/usr/bin" "$l1/opt/data" "$l1/usr/lib" "$l1/etc" \
    "$l1/usr/share/doc" "$l2/usr/bin" "$l2/opt/data" "$l2/usr/local/bin" \
    "$l3/usr/local/bin" "$nest/bin"
  cp "$b/linux-amd64/app-pgo" "$l1/usr/local/bin/app"
  cp "$b/linux-amd64/app" "$l1/usr/bin/old"
  cp "$b/linux-amd64/app-trimpath" "$l1/opt/data/tool"
  cp "$b/linux-amd64/libapp.so" "$l1/usr/lib/libapp.so"
  printf 'ID=test\n' >"$l1/etc/os-release"
  gzip -c "$l1/etc/os-release" >"$l1/usr/share/doc/changelog.gz"
  : >"$l2/usr/bin/.wh.old"
  : >"$l2/opt/data/.wh..wh..opq"
  cp "$b/linux-amd64/app-vcs" "$l2/opt/data/new"
  cp "$b/linux-amd64/app-fancy" "$l2/usr/local/bin/tool"
  cp "$b/linux-amd64/app-ldflags" "$nest/bin/app"
  printf 'notes\n' >"$nest/README"
  tar -C "$nest" -czf "$l2/opt/release.tar.gz" .
  cp "$b/linux-amd64/app-pie" "$l3/usr/local/bin/tool"
  # Layer tars as docker writes them (no "./"), and the first one as GNU
  # tar does by default.
  tar -C "$l1" -cf "$LAYERS/l1.tar" .
  tar -C "$l2" -cf "$LAYERS/l2.tar" usr opt
  tar -C "$l3" -cf "$LAYERS/l3.tar" usr
  local l
  for l in l1 l2 l3; do
    gzip -c "$LAYERS/$l.tar" >"$LAYERS/$l.tar.gz"
    zstd -q -c "$LAYERS/$l.tar" >"$LAYERS/$l.tar.zst"
  done
}

# ---------------------------------------------------------------- helpers

# go_members DIR PREFIX ARGS…: what `go version ARGS` prints for the tree
# DIR, each name made PREFIX!/path: what pgo-go must print for an archive
# of DIR named PREFIX.
go_members() {
  local dir=$1 prefix=$2
  shift 2
  (cd "$dir" && "$REAL_GO" version "$@" .) | sed "/^$(printf '\t')/!s|^|$prefix!/|"
}

# members FILE: one line per binary of a `version -m` output (its line and
# the indented lines under it joined), sorted: an archive lists members in
# its own order, a directory walk in name order.
members() {
  awk '/^\t/ { b = b "\\n" $0; next } { if (b != "") print b; b = $0 } END { if (b != "") print b }' \
    "$1" | LC_ALL=C sort
}

# json_objects FILE: one line per object of a `version -m -json` output, sorted.
json_objects() {
  awk '{ b = b $0 "\\n" } /^}$/ { print b; b = "" }' "$1" | LC_ALL=C sort
}

# expect_same_members ACTUAL EXPECTED [json]: the same binaries with the same
# module information, in any order.
expect_same_members() {
  local how=members a=$TEST_DIR/members.actual e=$TEST_DIR/members.expected
  [[ ${3:-} == json ]] && how=json_objects
  "$how" "$1" >"$a"
  "$how" "$2" >"$e"
  if [[ ! -s $e ]]; then
    test_failed "the expected output is empty: the test proves nothing"
  fi
  expect_equal_content "$a" "$e" "members of $RUN_CMD"
}

# extract ARCHIVE DIR: with the standard tools.
extract() {
  mkdir -p "$2"
  case $1 in
    *.zip) unzip -q "$1" -d "$2" ;;
    *) tar -xf "$1" -C "$2" ;;
  esac
}

# make_archive FORMAT DIR OUT: an archive of DIR's content.
make_archive() {
  local fmt=$1 dir=$2 out=$3
  case $fmt in
    tar) tar -C "$dir" -cf "$out" . ;;
    tar.gz) tar -C "$dir" -czf "$out" . ;;
    tar.bz2) tar -C "$dir" -cjf "$out" . ;;
    tar.xz) tar -C "$dir" -cJf "$out" . ;;
    tar.zst) tar -C "$dir" -cf - . | zstd -q -o "$out" ;;
    zip) (cd "$dir" && zip -qry "$out" .) ;;
  esac
}

# make_image FORMAT OUT [-nested-index] LAYER…: an image tarball.
make_image() {
  local fmt=$1 out=$2
  shift 2
  "$MKIMAGE" -format "$fmt" -o "$out" "$@" || test_failed "mkimage failed: $*"
}

# layer_names IMAGE LAYER…: the layers' paths in the image tarball, one a line.
layer_names() {
  local img=$1 f
  shift
  if tar -tf "$img" manifest.json >/dev/null 2>&1; then
    tar -xOf "$img" manifest.json |
      python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)[0]["Layers"]))'
    return
  fi
  for f in "$@"; do
    [[ $f == -* ]] && continue
    echo "blobs/sha256/$(sha256sum "$f" | cut -d' ' -f1)"
  done
}

# image_expectations IMAGE LAYER1 LAYER2 LAYER3: writes want.out (the
# binaries shipped, as go prints them from each layer extracted) and
# want.err (the notes for the shadowed ones) for an image of the suite's
# three layers.
image_expectations() {
  local img=$1
  local -a names
  mapfile -t names < <(layer_names "$@")
  local n1=${names[0]} n2=${names[1]} n3=${names[2]} i
  for i in 1 2 3; do
    rm -rf "x$i"
    tar -xf "$LAYERS/l$i.tar" -C "$(mkdir -p "x$i" && echo "x$i")"
  done
  rm -rf xrel && extract "x2/opt/release.tar.gz" xrel
  {
    go_members x1 "$img!/$n1" -m
    go_members x2 "$img!/$n2" -m
    go_members xrel "$img!/$n2!/opt/release.tar.gz" -m
    go_members x3 "$img!/$n3" -m
  } | awk -v a="$img!/$n1!/usr/bin/old:" -v b="$img!/$n1!/opt/data/tool:" \
    -v c="$img!/$n2!/usr/local/bin/tool:" '
      !/^\t/ { skip = index($0, a) == 1 || index($0, b) == 1 || index($0, c) == 1 }
      !skip' >want.out
  {
    echo "$img!/$n1!/opt/data/tool: $GO_RELEASE, deleted by layer 2 of 3 ($n2): not in the image"
    echo "$img!/$n1!/usr/bin/old: $GO_RELEASE, deleted by layer 2 of 3 ($n2): not in the image"
    echo "$img!/$n2!/usr/local/bin/tool: $GO_RELEASE, replaced by layer 3 of 3 ($n3): not in the image"
  } | LC_ALL=C sort >want.err
  printf '%s\n' "$n1" "$n2" "$n3" >want.layers
}

# expect_layer_order OUT IMAGE: members are listed base layer first.
expect_layer_order() {
  local seen
  seen=$(awk -F'!/' '!/^\t/ { print $2 }' "$1" | uniq | tr '\n' ' ')
  if [[ $seen != "$(tr '\n' ' ' <want.layers)" ]]; then
    test_failed "layers listed in the order '$seen', expected '$(tr '\n' ' ' <want.layers)'"
  fi
}

# run_measured CMD…: run, with the peak memory in $RUN_RSS_KB (when
# /usr/bin/time is there) and the wall time in $RUN_SECONDS.
run_measured() {
  local t0=$SECONDS
  if [[ -x /usr/bin/time ]]; then
    run /usr/bin/time -f '%M' -o "$TEST_DIR/rss" "$@"
    RUN_RSS_KB=$(tail -n1 "$TEST_DIR/rss")
  else
    run "$@"
    RUN_RSS_KB=0
  fi
  RUN_SECONDS=$((SECONDS - t0))
}

# expect_bounded SECONDS MIB: the last run_measured took at most that long
# and that much memory (sanitizer builds included).
expect_bounded() {
  if ((RUN_SECONDS > $1)); then
    test_failed "took ${RUN_SECONDS}s, more than $1s: $RUN_CMD"
  fi
  if ((RUN_RSS_KB > $2 * 1024)); then
    test_failed "peak memory $((RUN_RSS_KB / 1024)) MiB, more than $2 MiB: $RUN_CMD"
  fi
}

# hostile_tar OUT KIND: tars no tar tool writes, by python's tarfile.
hostile_tar() {
  python3 - "$1" "$2" "$FIXTURES/crafted/pgo-space" <<'EOF'
import io, sys, tarfile
out, kind, app = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read()

def add(t, name, data=b"", typ=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.mode = typ, link, 0o755
    ti.size = len(data) if typ == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if typ == tarfile.REGTYPE else None)

if kind == "huge":
    # A header claiming 2^62 bytes (base-256 size field), then 4 KiB.
    ti = tarfile.TarInfo("huge")
    ti.size, ti.mode = 2**62, 0o755
    open(out, "wb").write(ti.tobuf(format=tarfile.GNU_FORMAT) + app[:4096])
    sys.exit(0)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    if kind == "traversal":
        add(t, "../../escaped", app)
        add(t, "a/../../b", app)
        add(t, "/abs/bin/app", app)
        add(t, "ok/app", app)
    elif kind == "symlinks":
        add(t, "bin/app", app)
        add(t, "bin/link", typ=tarfile.SYMTYPE, link="app")
        add(t, "etc/passwd", typ=tarfile.SYMTYPE, link="/etc/passwd")
        add(t, "evil", typ=tarfile.SYMTYPE, link="/tmp")
        add(t, "evil/dropped", app)
    elif kind == "names":
        add(t, "bin/x\nfake: go1.0", app)
        add(t, "bin/tab\there", app)
EOF
}

# ---------------------------------------------------------------- tests

SUITE_archive() {
  local fmt out

  for fmt in tar tar.gz tar.bz2 tar.xz tar.zst zip; do
    TEST "$fmt: each member prints what go version -m prints for it extracted"
    make_archive "$fmt" "$REL" "$TEST_DIR/rel.$fmt"
    extract "rel.$fmt" x
    pgo_go version -m "rel.$fmt"
    expect_no_crash
    expect_exit 0
    expect_empty "$RUN_ERR"
    out=$RUN_OUT
    go_members x "rel.$fmt" -m >want.out
    expect_same_members "$out" want.out
    expect_contains "$out" "rel.$fmt!/bin/app-hard: $GO_RELEASE"
    pgo_go version "rel.$fmt"
    expect_exit 0
    go_members x "rel.$fmt" >want.plain
    expect_same_members "$RUN_OUT" want.plain
    pgo_go version -m -json "rel.$fmt"
    expect_exit 0
    (cd x && "$REAL_GO" version -m -json .) >want.json
    expect_same_members "$RUN_OUT" want.json json
  done

  TEST "several archives and files in one command, each under its own name"
  make_archive tar "$REL" "$TEST_DIR/a.tar"
  make_archive zip "$REL" "$TEST_DIR/b.zip"
  pgo_go version a.tar "$FIXTURES/bin/linux-amd64/app" b.zip
  expect_exit 0
  expect_line "$RUN_OUT" "^a\.tar!/bin/app: $GO_RELEASE\$"
  expect_line "$RUN_OUT" "^$FIXTURES/bin/linux-amd64/app: $GO_RELEASE\$"
  expect_line "$RUN_OUT" "^b\.zip!/bin/app: $GO_RELEASE\$"

  TEST "-v: symlinks are named and never followed; candidates that are not Go say why"
  mkdir -p t/bin
  cp "$FIXTURES/bin/linux-amd64/app" t/bin/app
  printf '#!/bin/sh\necho hi\n' >t/bin/script
  chmod +x t/bin/script
  cp /bin/true t/bin/true
  printf 'plain\n' >t/README
  ln -s app t/bin/link
  tar -C t -cf t.tar .
  pgo_go version -v t.tar
  expect_exit 0
  expect_stdout "t.tar!/bin/app: $GO_RELEASE"
  expect_contains "$RUN_ERR" "t.tar!/bin/link: symlink"
  # Go's own -v lines for the non-Go candidates, renamed.
  (cd t && "$REAL_GO" version -v . 2>&1 >/dev/null) | grep -v '^bin/link' |
    sed 's|bin/|t.tar!/bin/|g' | LC_ALL=C sort >want.err
  grep -v ': symlink$' "$RUN_ERR" | LC_ALL=C sort >got.err
  expect_equal_content got.err want.err "-v lines"

  TEST "a binary larger than the memory bound is read through an unnamed temporary file"
  mkdir -p big/bin tmp
  cp "$REAL_GOROOT/bin/go" big/bin/go
  cp "$FIXTURES/bin/linux-amd64/app" big/bin/small
  tar -C big -cf big.tar .
  TMPDIR=$TEST_DIR/tmp run_measured "$PGO_GO_BIN" version -m big.tar
  expect_no_crash
  expect_exit 0
  go_members big big.tar -m >want.out
  expect_same_members "$RUN_OUT" want.out
  expect_bounded 30 400
  expect_equal "$(ls -A tmp)" "" "what the temporary directory holds afterwards"
  TMPDIR=$TEST_DIR/no-such-dir pgo_go version big.tar
  expect_exit 1
  expect_stdout "big.tar!/bin/small: $GO_RELEASE"
  expect_line "$RUN_ERR" '^big\.tar!/bin/go: cannot hold the member for reading: No such file or directory$'

  local img_fmt
  for img_fmt in "docker l1.tar l2.tar l3.tar" "oci l1.tar.gz l2.tar.zst l3.tar" \
    "docker25 l1.tar l2.tar.gz l3.tar.zst" "oci -nested-index l1.tar.zst l2.tar.gz l3.tar.gz"; do
    local -a spec=($img_fmt) layers=()
    local f
    for f in "${spec[@]:1}"; do
      [[ $f == -* ]] && layers+=("$f") || layers+=("$LAYERS/$f")
    done
    TEST "image (${spec[*]}): members named by layer, base first; whiteouts and replacements"
    make_image "${spec[0]}" img.tar "${layers[@]}"
    image_expectations img.tar "${layers[@]}"
    pgo_go version -m img.tar
    expect_no_crash
    expect_exit 0
    expect_same_members "$RUN_OUT" want.out
    expect_layer_order "$RUN_OUT"
    LC_ALL=C sort "$RUN_ERR" >got.err
    expect_equal_content got.err want.err "notes on stderr"
  done

  TEST "an image read from a pipe, in one pass"
  make_image docker img.tar "$LAYERS/l1.tar" "$LAYERS/l2.tar" "$LAYERS/l3.tar"
  pgo_go version -m img.tar
  sed 's|^img\.tar!|/dev/stdin!|' "$RUN_OUT" >want.out
  sed 's|^img\.tar!|/dev/stdin!|' "$RUN_ERR" >want.err
  run bash -c 'cat img.tar | "$0" version -m /dev/stdin' "$PGO_GO_BIN"
  expect_no_crash
  expect_exit 0
  expect_equal_content "$RUN_OUT" want.out stdout
  expect_equal_content "$RUN_ERR" want.err stderr

  TEST "a layer given twice is stored once and linked (docker save): its files are back"
  make_image docker dup.tar "$LAYERS/l1.tar" "$LAYERS/l2.tar" "$LAYERS/l1.tar"
  expect_equal "$(tar -tvf dup.tar | grep -c '^l.*layer.tar -> ')" 1 "linked layers in dup.tar"
  pgo_go version dup.tar
  expect_exit 0
  expect_line "$RUN_OUT" '!/usr/bin/old: '
  expect_not_contains "$RUN_ERR" "usr/bin/old"

  TEST "verify IMAGE: exit 1 naming what lacks -pgo; what is not in the image counts for nothing"
  make_image oci img.tar "$LAYERS/l1.tar.gz" "$LAYERS/l2.tar.gz" "$LAYERS/l3.tar.gz"
  local -a names
  mapfile -t names < <(layer_names img.tar "$LAYERS/l1.tar.gz" "$LAYERS/l2.tar.gz" "$LAYERS/l3.tar.gz")
  local n1=${names[0]} n2=${names[1]} n3=${names[2]}
  pgo_go verify img.tar
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_OUT" "^img\.tar!/$n1!/usr/local/bin/app: verified \(-pgo=$FIXTURES/cpu\.pprof\)\$"
  expect_line "$RUN_OUT" "^img\.tar!/$n1!/usr/lib/libapp\.so: no PGO: built without -pgo\$"
  expect_line "$RUN_OUT" "^img\.tar!/$n2!/opt/release\.tar\.gz!/bin/app: no PGO: built without -pgo\$"
  expect_line "$RUN_OUT" "^img\.tar!/$n3!/usr/local/bin/tool: no PGO: built without -pgo\$"
  expect_line "$RUN_OUT" "^img\.tar!/$n1!/usr/bin/old: not in the image: deleted by layer 2 of 3 \($n2\)\$"
  expect_line "$RUN_OUT" "^img\.tar!/$n2!/usr/local/bin/tool: not in the image: replaced by layer 3 of 3 \($n3\)\$"
  expect_line_count "$RUN_OUT" 8

  TEST "verify --path: only the members matched, with or without a leading /"
  make_image oci img.tar "$LAYERS/l1.tar.gz" "$LAYERS/l2.tar.gz" "$LAYERS/l3.tar.gz"
  pgo_go verify --path /usr/local/bin/app img.tar
  expect_exit 0
  expect_line_count "$RUN_OUT" 1
  expect_line "$RUN_OUT" '!/usr/local/bin/app: verified '
  pgo_go verify --path=usr/local/bin/app --profile "$FIXTURES/cpu.pprof" img.tar
  expect_exit 0
  pgo_go verify --path '/usr/local/bin/*' img.tar
  expect_exit 1
  expect_line_count "$RUN_OUT" 3
  expect_line "$RUN_OUT" '!/usr/local/bin/tool: no PGO: built without -pgo$'
  pgo_go verify --path /usr/bin/old img.tar
  expect_exit 1
  expect_line "$RUN_OUT" '^img\.tar: not a Go binary: no Go binary in the archive matches --path /usr/bin/old$'
  pgo_go verify --path /usr/local/bin/app --profile /elsewhere/other.pgo img.tar
  expect_exit 1
  expect_line "$RUN_OUT" '!/usr/local/bin/app: profile mismatch: -pgo=.*, expected /elsewhere/other\.pgo$'

  TEST "verify IMAGE: a deleted binary without -pgo does not fail the image"
  mkdir -p a/usr/bin b/usr/bin
  cp "$FIXTURES/bin/linux-amd64/app-pgo" a/usr/bin/app
  cp "$FIXTURES/bin/linux-amd64/app" a/usr/bin/old
  : >b/usr/bin/.wh.old
  tar -C a -cf a.tar usr
  tar -C b -cf b.tar usr
  make_image docker25 img.tar a.tar b.tar
  pgo_go verify img.tar
  expect_exit 0
  expect_line "$RUN_OUT" '!/usr/bin/app: verified '
  expect_line "$RUN_OUT" '!/usr/bin/old: not in the image: deleted by layer 2 of 2 '

  TEST "verify -json IMAGE: layer fields and statuses"
  make_image docker img.tar "$LAYERS/l1.tar" "$LAYERS/l2.tar" "$LAYERS/l3.tar"
  pgo_go verify -json img.tar
  expect_exit 1
  local problems
  problems=$(python3 - "$RUN_OUT" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
by = {o["file"].rsplit("!/", 1)[1] + ":" + o["status"]: o for o in data}
want = {"usr/local/bin/app:verified": 1, "usr/bin/old:deleted": 1, "opt/data/tool:deleted": 1,
        "usr/local/bin/tool:replaced": 2, "usr/local/bin/tool:no-pgo": 3,
        "bin/app:no-pgo": 2, "opt/data/new:no-pgo": 2, "usr/lib/libapp.so:no-pgo": 1}
for key, layer in want.items():
    o = by.get(key)
    if o is None:
        print(f"no object for {key}; got {sorted(by)}")
        continue
    if o.get("layer") != layer or o.get("layers") != 3 or not o.get("layer_name", "").endswith("/layer.tar"):
        print(f"{key}: layer fields {o.get('layer')}, {o.get('layers')}, {o.get('layer_name')}")
    if not o.get("go_version", "").startswith("go1.") or not isinstance(o.get("message"), str):
        print(f"{key}: go_version or message missing: {o}")
if len(data) != len(want):
    print(f"{len(data)} objects, expected {len(want)}")
EOF
  )
  [[ -z $problems ]] || test_failed "$problems"

  TEST "verify a release tarball: -pgo binaries pass, others are named"
  make_archive tar.gz "$REL" "$TEST_DIR/rel.tar.gz"
  pgo_go verify --profile "$FIXTURES/cpu.pprof" rel.tar.gz
  expect_exit 1
  expect_line "$RUN_OUT" '^rel\.tar\.gz!/bin/app: verified '
  expect_line "$RUN_OUT" '^rel\.tar\.gz!/bin/app-hard: verified '
  expect_line "$RUN_OUT" '^rel\.tar\.gz!/bin/app\.exe: verified \(-pgo=cpu\.pprof\)$'
  expect_line "$RUN_OUT" '^rel\.tar\.gz!/bin/app-darwin: no PGO: built without -pgo$'
  pgo_go verify --path /bin/app rel.tar.gz
  expect_exit 0

  TEST "files that are not archives keep go's answer"
  printf 'hello\n' >text
  : >empty
  head -c 2048 /dev/zero >zeros
  gzip -c text >text.gz
  mkdir -p dir
  make_archive tar "$REL" "$TEST_DIR/dir/inside.tar"
  cp "$FIXTURES/bin/linux-amd64/app" dir/app
  local f
  for f in text empty zeros text.gz dir; do
    expect_version_parity "$f"
    expect_version_parity -m "$f"
    expect_version_parity -v "$f"
  done

  TEST "an archive without Go binaries: a note, exit 1 only with -m"
  mkdir -p docs
  printf 'a\n' >docs/a
  printf 'b\n' >docs/b
  tar -C docs -czf docs.tar.gz .
  pgo_go version docs.tar.gz
  expect_exit 0
  expect_empty "$RUN_OUT"
  expect_stderr "docs.tar.gz: no Go binaries in the archive"
  pgo_go version -m docs.tar.gz
  expect_exit 1
  pgo_go verify docs.tar.gz
  expect_exit 1
  expect_stdout "docs.tar.gz: not a Go binary: the archive holds no Go binaries"

  # ------------------------------------------------------------ bad input

  TEST "truncated tar: the members before the cut, then libarchive's message"
  make_archive tar "$REL" "$TEST_DIR/full.tar"
  head -c $(($(stat -c %s full.tar) / 2)) full.tar >cut.tar
  pgo_go version cut.tar
  expect_no_crash
  expect_exit 1
  expect_stderr "cut.tar: Truncated tar archive"
  [[ -s $RUN_OUT ]] || test_failed "no member before the cut was reported"
  pgo_go verify cut.tar
  expect_exit 1
  expect_line "$RUN_OUT" '^cut\.tar: unreadable: Truncated tar archive$'

  TEST "truncated tar.gz"
  make_archive tar.gz "$REL" "$TEST_DIR/full.tar.gz"
  head -c $(($(stat -c %s full.tar.gz) / 2)) full.tar.gz >cut.tar.gz
  pgo_go version -m cut.tar.gz
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_ERR" '^cut\.tar\.gz: truncated gzip input$'

  TEST "corrupt compressed data"
  make_archive tar.xz "$REL" "$TEST_DIR/full.tar.xz"
  cp full.tar.xz bad.tar.xz
  printf 'garbage garbage garbage garbage' | dd of=bad.tar.xz bs=1 seek=100000 conv=notrunc status=none
  pgo_go version bad.tar.xz
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_ERR" '^bad\.tar\.xz: .+'

  TEST "a damaged tar header"
  make_archive tar "$REL" "$TEST_DIR/full.tar"
  local off
  off=$(python3 -c 'import sys, tarfile; print([m.offset for m in tarfile.open(sys.argv[1]) if m.isfile()][2])' full.tar)
  cp full.tar bad.tar
  printf 'this is no tar header' | dd of=bad.tar bs=1 seek="$off" conv=notrunc status=none
  pgo_go version bad.tar
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_ERR" '^bad\.tar: Damaged tar archive$'

  TEST "a zip cut in half"
  make_archive zip "$REL" "$TEST_DIR/full.zip"
  head -c $(($(stat -c %s full.zip) / 2)) full.zip >cut.zip
  pgo_go version cut.zip
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_ERR" '^cut\.zip: .+'

  TEST "a zip bomb: a deflated member of zeros is skipped unread"
  truncate -s 512M zeros
  zip -q bomb.zip zeros
  rm -f zeros
  run_measured "$PGO_GO_BIN" version -m bomb.zip
  expect_no_crash
  expect_exit 1
  expect_stderr "bomb.zip: no Go binaries in the archive"
  expect_bounded 10 300

  TEST "a decompression bomb (tar.zst of zeros) stops at the ratio limit"
  {
    python3 -c 'import sys, tarfile; t = tarfile.TarInfo("zeros"); t.size = 1200 << 20; sys.stdout.buffer.write(t.tobuf(format=tarfile.USTAR_FORMAT))'
    head -c $((1200 << 20)) /dev/zero
    head -c 1024 /dev/zero
  } | zstd -q -1 >bomb.tar.zst
  run_measured "$PGO_GO_BIN" version bomb.tar.zst
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_ERR" '^bomb\.tar\.zst: decompressed [0-9]+ MiB from [0-9]+ KiB of input, over the 1000:1 limit \(a decompression bomb\?\): stopped$'
  expect_bounded 20 300

  TEST "an executable-looking bomb stops at the ratio limit without filling the disk"
  mkdir -p tmp
  {
    python3 -c 'import sys, tarfile; t = tarfile.TarInfo("app"); t.size = 1200 << 20; t.mode = 0o755; sys.stdout.buffer.write(t.tobuf(format=tarfile.USTAR_FORMAT))'
    printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0'
    head -c $(((1200 << 20) - 16)) /dev/zero
    head -c 1024 /dev/zero
  } | zstd -q -1 >elf.tar.zst
  TMPDIR=$TEST_DIR/tmp run_measured "$PGO_GO_BIN" version elf.tar.zst
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_ERR" '^elf\.tar\.zst: decompressed [0-9]+ MiB .* \(a decompression bomb\?\): stopped$'
  expect_bounded 20 300
  expect_equal "$(ls -A tmp)" "" "what the temporary directory holds afterwards"

  TEST "names with a .. component are reported, never read"
  hostile_tar h.tar traversal
  pgo_go version h.tar
  expect_no_crash
  expect_exit 1
  expect_stdout "h.tar!/abs/bin/app: $CRAFTED_RELEASE
h.tar!/ok/app: $CRAFTED_RELEASE"
  expect_stderr 'h.tar!/../../escaped: a ".." in the member name, which could point outside the archive: not read
h.tar!/a/../../b: a ".." in the member name, which could point outside the archive: not read'

  TEST "symlink members are never followed"
  hostile_tar s.tar symlinks
  pgo_go version -v s.tar
  expect_no_crash
  expect_exit 0
  expect_stdout "s.tar!/bin/app: $CRAFTED_RELEASE
s.tar!/evil/dropped: $CRAFTED_RELEASE"
  expect_stderr "s.tar!/bin/link: symlink
s.tar!/etc/passwd: symlink
s.tar!/evil: symlink"
  expect_file_missing /tmp/dropped

  TEST "control characters in member names are escaped"
  hostile_tar n.tar names
  pgo_go version n.tar
  expect_exit 0
  expect_stdout "n.tar!/bin/x\\x0afake: go1.0: $CRAFTED_RELEASE
n.tar!/bin/tab\\x09here: $CRAFTED_RELEASE"

  TEST "UTF-8 names (a zip's flag, pax records) print as stored, in the C locale too"
  python3 - "$FIXTURES/crafted/pgo-space" <<'EOF'
import sys, tarfile, zipfile
app = sys.argv[1]
with zipfile.ZipFile("u.zip", "w") as z:
    z.write(app, "b\u00efn/\u00fc-app")
with tarfile.open("u.tar", "w", format=tarfile.PAX_FORMAT) as t:
    t.add(app, "b\u00efn/" + "\u00fc" * 60)
EOF
  pgo_go version u.zip u.tar
  expect_exit 0
  expect_stdout "u.zip!/bïn/ü-app: $CRAFTED_RELEASE
u.tar!/bïn/$(printf 'ü%.0s' {1..60}): $CRAFTED_RELEASE"

  TEST "a header claiming 2^62 bytes: an error at once, no allocation to match"
  hostile_tar huge.tar huge
  run_measured "$PGO_GO_BIN" version huge.tar
  expect_no_crash
  expect_exit 1
  expect_stderr "huge.tar: Truncated tar archive"
  expect_bounded 5 200

  TEST "archives nested too deep are named, not searched"
  cp "$FIXTURES/crafted/pgo-space" app
  tar -cf n6.tar app
  local i
  for i in 5 4 3 2 1 0; do
    mkdir -p "d$i"
    mv "n$((i + 1)).tar" "d$i/"
    cp "$FIXTURES/crafted/build-only" "d$i/app$i"
    tar -C "d$i" -cf "n$i.tar" .
  done
  pgo_go version n0.tar
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_OUT" '^n0\.tar!/n1\.tar!/n2\.tar!/n3\.tar!/n4\.tar!/app4: '
  expect_not_contains "$RUN_OUT" "app5"
  expect_stderr "n0.tar!/n1.tar!/n2.tar!/n3.tar!/n4.tar!/n5.tar: archives nested more than 4 deep: not searched"

  TEST "a corrupt archive inside an archive: its error, then the rest"
  mkdir -p outer
  make_archive tar.gz "$REL" "$TEST_DIR/whole.tar.gz"
  head -c 300000 whole.tar.gz >outer/a-broken.tar.gz
  cp "$FIXTURES/bin/linux-amd64/app" outer/z-after
  tar -C outer -cf outer.tar a-broken.tar.gz z-after
  pgo_go version outer.tar
  expect_no_crash
  expect_exit 1
  expect_line "$RUN_OUT" "^outer\.tar!/z-after: $GO_RELEASE\$"
  expect_line "$RUN_ERR" '^outer\.tar!/a-broken\.tar\.gz: truncated gzip input$'

  TEST "an encrypted zip member: libarchive's message"
  mkdir -p enc
  cp "$FIXTURES/crafted/pgo-space" enc/app
  (cd enc && zip -q -P secret ../enc.zip app)
  pgo_go version enc.zip
  expect_no_crash
  expect_exit 1
  expect_stderr "enc.zip!/app: Passphrase required for this entry
enc.zip: no Go binaries in the archive"
}
