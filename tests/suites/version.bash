# `pgo-go version` must print what `go version` prints, byte for byte, on
# stdout and stderr, and exit with the same status; only go's own flag-error
# messages name the program differently (rename_go_messages in lib.bash).

SUITE_version_PROBE() {
  local v
  v=$("$REAL_GO" env GOVERSION 2>/dev/null)
  case $v in
    go1.26*) ;;
    *) echo "pgo-go version follows go1.26; the go found is '$v'" ;;
  esac
}

SUITE_version_SETUP() {
  # Every binary the fixtures hold, then the toolchain's own.
  VERSION_FILES=()
  local f
  while IFS= read -r f; do
    VERSION_FILES+=("$f")
  done < <(find "$FIXTURES/bin" "$FIXTURES/old" "$FIXTURES/crafted" "$FIXTURES/tools" \
    -type f | LC_ALL=C sort)
  while IFS= read -r f; do
    VERSION_FILES+=("$f")
  done < <(find "$REAL_GOROOT/bin" "$REAL_GOROOT"/pkg/tool/*/ -maxdepth 1 -type f | LC_ALL=C sort)
}

# A directory tree with every kind of entry a walk meets.
make_tree() {
  mkdir -p tree/sub/deeper tree/empty
  cp "$FIXTURES/bin/linux-amd64/app" tree/app
  cp "$FIXTURES/bin/windows-amd64/app.exe" tree/sub/win.exe
  cp "$FIXTURES/bin/darwin-arm64/app-pgo" tree/sub/deeper/mac
  cp "$FIXTURES/old/elf32-be" tree/sub/deeper/old
  cp "$FIXTURES/bin/linux-amd64/libapp.so" tree/sub/libapp.so
  cp "$FIXTURES/bin/linux-amd64/app-fancy" "tree/Zed app"
  cp "$FIXTURES/bin/linux-386/app" tree/sub/app.1
  # Symlinks: to a file (followed), to a directory (not followed), dangling.
  ln -s "$FIXTURES/bin/linux-arm64/app" tree/link-to-app
  ln -s ../app tree/sub/relative-link
  ln -s "$FIXTURES/bin/darwin-amd64" tree/linkdir
  ln -s does-not-exist tree/dangling
  # Non-Go files that look like executables: reported with -v.
  printf '#!/bin/sh\necho hi\n' >tree/script.sh
  chmod +x tree/script.sh
  cp /bin/true tree/sub/true
  cp "$FIXTURES/bad/random-4096" tree/sub/libnotgo.so
  chmod -x tree/sub/libnotgo.so
  printf 'MZ not really\n' >tree/sub/fake.exe
  printf 'xx\n' >tree/sub/libx.so.1
  # Non-Go files that do not: never reported.
  printf 'hello\n' >tree/README
  printf '\x00\x01\x02binary\xff' >tree/sub/data.bin
  : >tree/sub/empty-file
  # A Go binary without the exec bit is still reported.
  cp "$FIXTURES/bin/freebsd-amd64/app" tree/sub/noexec-go
  chmod -x tree/sub/noexec-go
}

SUITE_version() {
  local f rel
  for f in "${VERSION_FILES[@]}"; do
    rel=${f#"$FIXTURES"/}
    TEST "version, -m, -m -json: $rel"
    expect_version_parity "$f"
    expect_version_parity -m "$f"
    expect_version_parity -m -json "$f"
  done

  TEST "fixture build settings are what build.sh asked for"
  # Guards the fixtures themselves: if these fail, the parity tests above
  # compare less than they claim to.
  real_go version -m "$FIXTURES/bin/linux-amd64/app-ldflags"
  expect_contains "$RUN_OUT" $'\tbuild\t-ldflags="-X \\"main.msg=hello world\\"'
  real_go version -m "$FIXTURES/bin/linux-amd64/app-fancy"
  expect_contains "$RUN_OUT" $'\tbuild\t-tags=fancy'
  real_go version -m "$FIXTURES/bin/linux-amd64/app-pgo"
  expect_contains "$RUN_OUT" $'\tbuild\t-pgo='"$FIXTURES/cpu.pprof"
  real_go version -m "$FIXTURES/bin/windows-amd64/app-pgo-trimpath.exe"
  expect_contains "$RUN_OUT" $'\tbuild\t-pgo=cpu.pprof'
  real_go version -m "$FIXTURES/bin/linux-amd64/libapp.so"
  expect_contains "$RUN_OUT" $'\tbuild\t-buildmode=c-shared'
  real_go version -m "$FIXTURES/bin/linux-amd64/app"
  expect_contains "$RUN_OUT" $'\t=>\t../lib\t(devel)\t'
  real_go version "$FIXTURES/bin/fat/app-universal"
  expect_stdout "$FIXTURES/bin/fat/app-universal: go1.26.8"

  TEST "several files at once"
  expect_version_parity "$FIXTURES/bin/linux-amd64/app" "$FIXTURES/bin/windows-386/app.exe" \
    "$FIXTURES/old/elf64-le" "$FIXTURES/bin/fat/app-universal"
  expect_version_parity -m "$FIXTURES/bin/linux-amd64/app" "$FIXTURES/bin/windows-386/app.exe" \
    "$FIXTURES/old/elf64-le" "$FIXTURES/bin/fat/app-universal"
  expect_version_parity -m -json "$FIXTURES/bin/linux-amd64/app" "$FIXTURES/crafted/escapes" \
    "$FIXTURES/old/elf32-le"

  TEST "several files, some missing or not Go"
  printf 'text\n' >notes.txt
  printf '#!/bin/sh\n' >script
  chmod +x script
  expect_version_parity "$FIXTURES/bin/linux-amd64/app" missing notes.txt script "$FIXTURES/old/elf32-be"
  expect_version_parity -m "$FIXTURES/bin/linux-amd64/app" missing notes.txt script "$FIXTURES/old/elf32-be"
  expect_version_parity -m -json missing "$FIXTURES/bin/linux-amd64/app" script

  TEST "the same file twice"
  expect_version_parity -m "$FIXTURES/bin/linux-amd64/app" "$FIXTURES/bin/linux-amd64/app"

  TEST "file names are printed as given"
  mkdir -p "dir with space" sub
  cp "$FIXTURES/bin/linux-amd64/app" "dir with space/my app"
  cp "$FIXTURES/bin/linux-amd64/app" "sub/ünïcödé"
  cp "$FIXTURES/bin/linux-amd64/app" $'sub/tab\there'
  cp "$FIXTURES/bin/linux-amd64/app" sub/-m
  expect_version_parity "dir with space/my app" "sub/ünïcödé" $'sub/tab\there' ./sub/-m
  expect_version_parity -m "./dir with space/../dir with space/my app" sub//ünïcödé
  cd sub
  expect_version_parity -m ../sub/-m "$TEST_DIR/sub/ünïcödé"
  cd "$TEST_DIR"

  TEST "directory, recursive"
  make_tree
  expect_version_parity tree
  expect_version_parity -m tree
  expect_version_parity -m -json tree

  TEST "directory with -v reports what is not Go"
  make_tree
  expect_version_parity -v tree
  expect_version_parity -m -v tree
  expect_version_parity -m -json -v tree

  TEST "directory named in other ways"
  make_tree
  expect_version_parity tree/
  expect_version_parity -m ./tree/sub
  expect_version_parity -v "$TEST_DIR/tree"
  expect_version_parity tree/sub/../sub
  cd tree
  expect_version_parity -m .
  cd "$TEST_DIR"

  TEST "directory and files mixed"
  make_tree
  expect_version_parity -m tree/sub "$FIXTURES/old/elf64-be" tree/empty tree/README

  TEST "empty directory"
  mkdir empty
  expect_version_parity empty
  expect_version_parity -m -v empty

  TEST "symlinks named explicitly"
  make_tree
  expect_version_parity tree/link-to-app
  expect_version_parity -m tree/sub/relative-link
  expect_version_parity tree/dangling
  expect_version_parity -m tree/dangling
  # A symlink to a directory as the walk's root is not followed.
  expect_version_parity tree/linkdir
  expect_version_parity -v tree/linkdir
  expect_version_parity -m -v tree/linkdir/

  TEST "whole fixture tree"
  expect_version_parity "$FIXTURES/bin"
  expect_version_parity -m -v "$FIXTURES"
  expect_version_parity -m -json "$FIXTURES/bin"

  TEST "non-Go file named explicitly: exit 1 with -m, 0 without"
  printf '#!/bin/sh\n' >script
  chmod +x script
  printf 'plain text\n' >notes
  cp /bin/true true
  : >empty
  for f in script notes true empty; do
    expect_version_parity "$f"
    expect_version_parity -m "$f"
    expect_version_parity -v "$f"
    expect_version_parity -m -json "$f"
  done
  # The assertions the parity rests on, stated outright.
  pgo_go version -m notes
  expect_exit 1
  expect_empty "$RUN_OUT"
  pgo_go version notes
  expect_exit 0

  TEST "non-Go files whose names look like executables"
  for f in lib.so lib.so.1 prog.exe PROG.EXE lib.dll a.so.b; do
    printf 'not go\n' >"$f"
    expect_version_parity "$f"
    expect_version_parity -m "$f"
  done

  TEST "missing files"
  expect_version_parity nosuch
  expect_version_parity -m nosuch
  expect_version_parity -m -json nosuch
  printf 'x\n' >file
  expect_version_parity file/below
  expect_version_parity ""
  expect_version_parity -m "$FIXTURES/bin/linux-amd64/app" nosuch "$FIXTURES/bin/linux-amd64/app"

  TEST "flags without files are usage errors"
  expect_version_parity --rename -m
  expect_version_parity --rename -v
  expect_version_parity --rename -json
  expect_version_parity --rename -m -json
  expect_version_parity --rename -json -m
  expect_version_parity --rename -v -m
  expect_version_parity --rename -m -v -json
  expect_version_parity --rename -m=true
  expect_version_parity --rename --v
  pgo_go version -m
  expect_exit 2
  expect_stderr "pgo-go: 'pgo-go version' only accepts -m flag with arguments"

  TEST "-json without -m"
  expect_version_parity --rename -json "$FIXTURES/bin/linux-amd64/app"
  expect_version_parity --rename -json -v "$FIXTURES/bin/linux-amd64/app"
  expect_version_parity --rename -m=false -json "$FIXTURES/bin/linux-amd64/app"
  pgo_go version -json "$FIXTURES/bin/linux-amd64/app"
  expect_exit 2
  expect_stdout ""
  expect_stderr "pgo-go: 'pgo-go version' with -json flag requires -m flag"

  TEST "unknown flags"
  expect_version_parity --rename -x
  expect_version_parity --rename -x "$FIXTURES/bin/linux-amd64/app"
  expect_version_parity --rename -m -x "$FIXTURES/bin/linux-amd64/app"
  expect_version_parity --rename --mm "$FIXTURES/bin/linux-amd64/app"
  expect_version_parity --rename ---m "$FIXTURES/bin/linux-amd64/app"
  expect_version_parity --rename -M "$FIXTURES/bin/linux-amd64/app"
  pgo_go version -x "$FIXTURES/bin/linux-amd64/app"
  expect_exit 2
  expect_stdout ""
  expect_stderr "flag provided but not defined: -x
usage: pgo-go version [-m] [-v] [-json] [file ...]
Run 'pgo-go --help' for details."

  TEST "help flags"
  expect_version_parity --rename -h
  expect_version_parity --rename -help
  expect_version_parity --rename --help
  expect_version_parity --rename -m -h "$FIXTURES/bin/linux-amd64/app"

  TEST "flag syntax: --m, -m=true, -m=false, bad booleans"
  local app=$FIXTURES/bin/linux-amd64/app
  expect_version_parity --m "$app"
  expect_version_parity --m --json "$app"
  expect_version_parity -m=true "$app"
  expect_version_parity -m=false "$app"
  expect_version_parity -m=1 -json=t "$app"
  expect_version_parity -m=TRUE -v=F "$app"
  expect_version_parity -m -m "$app"
  expect_version_parity -m -m=false "$app"
  expect_version_parity --rename -m=maybe "$app"
  expect_version_parity --rename -m= "$app"
  expect_version_parity --rename -json=yes -m "$app"

  TEST "-- ends the flags; flags after a file are files"
  local app=$FIXTURES/bin/linux-amd64/app
  cp "$app" ./-m
  expect_version_parity -- -m
  expect_version_parity -m -- -m
  expect_version_parity -m -- "$app"
  expect_version_parity -- "$app" -m
  expect_version_parity "$app" -m
  expect_version_parity -m "$app" -json
  expect_version_parity -m "$app" -- "$app"
  expect_version_parity --rename -m --
  expect_version_parity -
  expect_version_parity -m -

  TEST "go's -C flag (change directory first)"
  mkdir -p there
  cp "$FIXTURES/bin/linux-amd64/app" there/app
  expect_version_parity -C there app
  expect_version_parity -C there -m app
  expect_version_parity -C=there -m app
  expect_version_parity --rename -C
  expect_version_parity --rename -C nosuchdir app
  expect_version_parity --rename -m -C there app

  TEST "GOFLAGS: from the environment and the go env file, under the command line"
  local app=$FIXTURES/bin/linux-amd64/app g
  for g in -m --m "-m -json" -m=false "-mod=mod -trimpath -m" "'-m' \"-json\"" -v "-m=1 -ldflags=-w"; do
    export GOFLAGS=$g
    expect_version_parity --rename "$app"
    expect_version_parity --rename -m=false "$app"
    expect_version_parity --rename -json "$app"
  done
  for g in -json -m=bad "-m -json=maybe" -C=/tmp -C "-m x" "-m -" "-- -m" "---m" "-=m" "'-m" '"-m -json'; do
    export GOFLAGS=$g
    expect_version_parity --rename "$app"
  done
  unset GOFLAGS
  printf 'GOFLAGS=-m -json\n' >goenv
  GOENV=$TEST_DIR/goenv expect_version_parity "$app"
  GOENV=$TEST_DIR/goenv GOFLAGS=-v expect_version_parity "$app"
  GOENV=$TEST_DIR/goenv GOFLAGS= expect_version_parity "$app"

  TEST "without files: pgo-go's own version line"
  pgo_go version
  expect_exit 0
  expect_line_count "$RUN_OUT" 1
  expect_empty "$RUN_ERR"
}
