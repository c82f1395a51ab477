# Shim fidelity on real project layouts: whatever pgo-go adds must never
# change what go would have done — the files written, the exit status, the
# messages — and a check pgo-go cannot make is skipped, never turned into a
# failure. One test per defect a new user found (issue 14, items 1–13 and
# the small things), each against the real go doing the same.
#
# The module example.com/multi: cmd/a (service svc-a), cmd/b (service
# svc-b), a shared lib, mapped in .pgo-go.ini; the two services' profiles
# differ, so one command building both is split into one go run each.

SUITE_fidelity_PROBE() {
  [[ -f $FIXTURES/cpu.pprof ]] || echo "no fixture profile $FIXTURES/cpu.pprof"
}

SUITE_fidelity_SETUP() {
  PROFILE=$FIXTURES/cpu.pprof
  # Two valid profiles with different bytes: the raw one and its reduction.
  PROFILES=$SUITE_TMP/profiles
  mkdir -p "$PROFILES"
  cp "$PROFILE" "$PROFILES/svc-a.pgo"
  PGO_GO_CACHE_DIR=$SUITE_TMP/cache "$PGO_GO_BIN" fetch --from "$PROFILE" --keep-locations 3 \
    -o "$PROFILES/svc-b.pgo" >/dev/null
}

# multi_module DIR: the two-service module, profiles from profile_dir.
multi_module() {
  local d=$1
  mkdir -p "$d/cmd/a" "$d/cmd/b" "$d/lib"
  printf 'module example.com/multi\n\ngo 1.26\n' >"$d/go.mod"
  printf 'package lib\n\nfunc F() int { return 1 }\n' >"$d/lib/lib.go"
  printf 'package main\n\nimport "example.com/multi/lib"\n\nfunc main() { println(lib.F()) }\n' >"$d/cmd/a/main.go"
  printf 'package main\n\nimport "example.com/multi/lib"\n\nfunc main() { println(lib.F() + 1) }\n' >"$d/cmd/b/main.go"
  printf '[pgo-go]\nprofile_dir = %s\n[services]\n./cmd/a = svc-a\n./cmd/b = svc-b\n' \
    "$PROFILES" >"$d/.pgo-go.ini"
}

# same_as_go ARGS…: runs `go ARGS` with the real go in a copy of the
# current directory, then through the shim here; the exit status, stdout,
# stderr and the files left must be the same.
same_as_go() {
  local here=$PWD copy=$TEST_DIR/real-copy
  rm -rf "$copy" && cp -a "$here" "$copy"
  cd "$copy" || return
  real_go "$@"
  local want_status=$RUN_STATUS want_out=$RUN_OUT want_err=$RUN_ERR
  (find . -path ./.pgo-go.ini -prune -o -print | sort) >"$TEST_DIR/want-files"
  cd "$here" || return
  run go "$@"
  expect_exit "$want_status"
  expect_equal_content "$RUN_OUT" "$want_out" "stdout of go $*"
  expect_equal_content "$RUN_ERR" "$want_err" "stderr of go $*"
  (find . -path ./.pgo-go.ini -prune -o -print | sort) >"$TEST_DIR/got-files"
  expect_equal_content "$TEST_DIR/got-files" "$TEST_DIR/want-files" "files after go $*"
}

SUITE_fidelity() {
  TEST "1. go build ./cmd/... without -o: two services, no binary written, as go"
  use_shim
  multi_module m && cd m
  same_as_go build ./cmd/...
  PGO_GO_VERBOSE=1 run go build ./cmd/...
  expect_exit 0
  expect_not_contains "$RUN_ERR" "(null)"
  expect_line "$RUN_ERR" "^pgo-go: example.com/multi/cmd/a \\(no binary written\\): service svc-a, "
  expect_line "$RUN_ERR" "^pgo-go: example.com/multi/cmd/b \\(no binary written\\): service svc-b, "

  TEST "1b. go build -o bin/ ./cmd/...: each binary has its own service's profile"
  use_shim
  multi_module m && cd m
  PGO_GO_VERIFY=strict run go build -o bin/ ./cmd/...
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo bin/a "$PROFILES/svc-a.pgo"
  expect_pgo bin/b "$PROFILES/svc-b.pgo"

  TEST "2. go build -o out ./cmd/... (out no directory): go's error, nothing written"
  use_shim
  multi_module m && cd m
  same_as_go build -o out ./cmd/...
  expect_exit 1
  expect_file_missing out

  TEST "3. go build ./... with cmd/lib beside lib/: exit 0 as go"
  use_shim
  multi_module m && cd m
  mkdir -p cmd/lib
  printf 'package main\n\nfunc main() {}\n' >cmd/lib/main.go
  printf './cmd/lib = svc-a\n' >>.pgo-go.ini
  same_as_go build ./...
  expect_exit 0

  TEST "4. a type error in the shared lib: go's messages once, exit 1, nothing written"
  use_shim
  multi_module m && cd m
  printf 'package lib\n\nfunc F() int { return "x" }\n' >lib/lib.go
  same_as_go build -o bin/ ./cmd/...
  expect_exit 1
  expect_file_missing bin

  TEST "4b. a load error in cmd/b: nothing built, as go"
  use_shim
  multi_module m && cd m
  printf 'package main\n\nimport "example.com/multi/nosuch"\n\nfunc main() { nosuch.X() }\n' >cmd/b/main.go
  same_as_go build -o bin/ ./cmd/...
  expect_exit 1
  expect_file_missing bin/a

  TEST "4c. a type error in cmd/b alone: bin/a with its profile, b's error once, exit 1"
  use_shim
  multi_module m && cd m
  printf 'package main\n\nfunc main() { var s string = 1; println(s) }\n' >cmd/b/main.go
  real_go build -o "$TEST_DIR/ref/" ./cmd/...
  local want_err=$RUN_ERR
  run go build -o bin/ ./cmd/...
  expect_exit 1
  expect_equal_content "$RUN_ERR" "$want_err" "stderr"
  expect_pgo bin/a "$PROFILES/svc-a.pgo"

  TEST "4d. -x describes each step: one warning, no per-service profiles, go's steps"
  use_shim
  multi_module m && cd m
  run go build -x -o bin/ ./cmd/...
  expect_exit 0
  expect_contains "$RUN_ERR" "pgo-go: warning: the main packages of this command want 2 different profiles"
  expect_pgo bin/a ""

  TEST "5. -o /dev/null: nothing written, nothing to verify, no warning"
  use_shim
  multi_module m && cd m
  PGO_GO_VERIFY=strict run go build -o /dev/null ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"

  TEST "6. wasm: js/wasm and wasip1/wasm binaries are verified"
  use_shim
  multi_module m && cd m
  GOOS=js GOARCH=wasm PGO_GO_VERIFY=strict run go build -o a.wasm ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"
  GOOS=wasip1 GOARCH=wasm PGO_GO_VERIFY=strict run go build -o a2.wasm ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"
  pgo_go verify a2.wasm
  expect_exit 0
  expect_stdout "a2.wasm: verified (-pgo=$PROFILES/svc-a.pgo)"
  # go version cannot read them, and neither does pgo-go version.
  pgo_go version a.wasm
  expect_exit 0
  expect_stderr "a.wasm: could not read Go build info from a.wasm: unrecognized file format"

  TEST "7. -buildmode=c-shared writes ./NAME, plugin ./NAME.so: both verified, no stale file read"
  use_shim
  multi_module m && cd m
  # A stale file of the other name must not be taken for the output.
  cp "$FIXTURES/bin/linux-amd64/app" a.so
  PGO_GO_VERIFY=strict run go build -buildmode=c-shared ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo a "$PROFILES/svc-a.pgo"
  rm -f a a.so
  cp "$FIXTURES/bin/linux-amd64/app" a
  PGO_GO_VERIFY=strict run go build -buildmode=plugin ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo a.so "$PROFILES/svc-a.pgo"

  TEST "8. a committed default.pgo, built from a directory reached through a symlink"
  use_shim
  multi_module real-m
  sed -i '/profile_dir/d; /svc-/d' real-m/.pgo-go.ini
  cp "$PROFILE" real-m/cmd/a/default.pgo
  ln -s real-m linked
  cd linked/cmd/a && export PWD=$TEST_DIR/linked/cmd/a
  PGO_GO_URL= PGO_GO_VERIFY=strict run go build -o app .
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo app "$TEST_DIR/linked/cmd/a/default.pgo"

  TEST "9. verify --profile through a symlink, or another file with the same bytes"
  use_shim
  multi_module m && cd m
  mkdir profiles && cp "$PROFILE" profiles/v1.pgo && ln -s v1.pgo profiles/current.pgo
  real_go build -pgo=profiles/current.pgo -o app ./cmd/a
  pgo_go verify --profile profiles/current.pgo app
  expect_exit 0
  pgo_go verify --profile profiles/v1.pgo app
  expect_exit 0
  cp "$PROFILE" same-bytes.pgo
  pgo_go verify --profile same-bytes.pgo app
  expect_exit 0
  pgo_go verify --profile "$PROFILES/svc-b.pgo" app
  expect_exit 1

  TEST "10. a workspace: each main package mapped by its own module's project file"
  use_shim
  mkdir -p ws/m1/cmd/app ws/m2/cmd/app
  printf 'go 1.26\n\nuse ./m1\nuse ./m2\n' >ws/go.work
  local m
  for m in m1 m2; do
    printf 'module example.com/%s\n\ngo 1.26\n' "$m" >"ws/$m/go.mod"
    printf 'package main\n\nfunc main() {}\n' >"ws/$m/cmd/app/main.go"
  done
  printf '[services]\n./cmd/app = svc-a\n' >ws/m1/.pgo-go.ini
  printf '[services]\n./cmd/app = svc-b\n' >ws/m2/.pgo-go.ini
  printf '[pgo-go]\nprofile_dir = %s\n' "$PROFILES" >ws/.pgo-go.ini
  cd ws
  PGO_GO_VERIFY=strict run go build -o bin/ ./m1/cmd/app
  expect_exit 0
  expect_pgo bin/app "$PROFILES/svc-a.pgo"
  cd m1
  PGO_GO_VERIFY=strict run go build -o app2 ../m2/cmd/app
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo app2 "$PROFILES/svc-b.pgo"

  TEST "11. go build ./cmd/a/main.go uses the ./cmd/a mapping"
  use_shim
  multi_module m && cd m
  PGO_GO_VERIFY=strict run go build -o app ./cmd/a/main.go
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo app "$PROFILES/svc-a.pgo"

  TEST "12. go install pattern/...@version: REQUIRE fails, one service for all gets its profile"
  use_shim
  tool_proxy "$TEST_DIR/proxy"
  export GOPROXY=file://$TEST_DIR/proxy GOSUMDB=off GOBIN=$TEST_DIR/gobin
  PGO_GO_REQUIRE=1 PGO_GO_URL= run go install 'example.com/tools/cmd/...@v1.0.0'
  expect_exit 1
  expect_contains "$RUN_ERR" "cannot tell which main packages this command builds"
  expect_file_missing gobin/one
  PGO_GO_SERVICE=svc-a PGO_GO_PROFILE_DIR=$PROFILES PGO_GO_URL= run go install 'example.com/tools/cmd/...@v1.0.0'
  expect_exit 0
  expect_pgo gobin/one "$PROFILES/svc-a.pgo"
  expect_pgo gobin/two "$PROFILES/svc-a.pgo"

  TEST "13. go env -w GOFLAGS=-pgo=off and an empty GOFLAGS: the user's choice holds"
  use_shim
  multi_module m && cd m
  export GOENV=$TEST_DIR/goenv
  "$REAL_GO" env -w GOFLAGS=-pgo=off
  GOFLAGS= PGO_GO_VERIFY=strict run go build -o app ./cmd/a
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo app ""

  TEST "./... patterns read from the tree: no go list for a plain tree, go's packages for any tree"
  use_shim
  multi_module m && cd m
  # A go that records its runs, then runs the real one.
  printf '#!/bin/sh\necho "$*" >>"%s/go-runs"\nexec "%s" "$@"\n' "$TEST_DIR" "$REAL_GO" >"$TEST_DIR/recgo"
  chmod +x "$TEST_DIR/recgo"
  sed -i '/svc-b/d' .pgo-go.ini
  printf './cmd/b = svc-a\n' >>.pgo-go.ini
  PGO_GO_REAL=$TEST_DIR/recgo PGO_GO_VERIFY=strict run go build -o bin/ ./...
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_not_contains "$TEST_DIR/go-runs" "list"
  expect_pgo bin/a "$PROFILES/svc-a.pgo"
  expect_pgo bin/b "$PROFILES/svc-a.pgo"
  # Trees with what only go's rules decide: the same main packages as go.
  mkdir -p cmd/tagged cmd/suffix cmd/_skip cmd/.hidden cmd/testdata/x cmd/cgo cmd/gen cmd/only-tests
  printf '//go:build ignore\n\npackage main\n\nfunc main() {}\n' >cmd/tagged/main.go
  printf 'package main\n\nfunc main() {}\n' >cmd/suffix/main_windows.go
  printf 'package main\n\nfunc main() {}\n' >cmd/_skip/main.go
  printf 'package main\n\nfunc main() {}\n' >cmd/.hidden/main.go
  printf 'package main\n\nfunc main() {}\n' >cmd/testdata/x/main.go
  printf 'package main\n\nimport "C"\n\nfunc main() {}\n' >cmd/cgo/main.go
  printf 'package gen\n' >cmd/gen/gen.go
  printf '//go:build ignore\n\npackage main\n\nfunc main() {}\n' >cmd/gen/tool.go
  printf 'package main\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n' >cmd/only-tests/x_test.go
  ln -s ../cmd/a cmd/link
  "$REAL_GO" list -f '{{if and (eq .Name "main") (or .GoFiles .CgoFiles)}}{{.ImportPath}}{{end}}' ./... 2>/dev/null |
    sed '/^$/d' | sort >want-mains
  rm -rf bin
  PGO_GO_VERBOSE=1 run go build -o bin/ ./...
  expect_exit 0
  sed -n 's/^pgo-go: .*\/bin\/\([^:]*\): service .*/example.com\/multi\/cmd\/\1/p' "$RUN_ERR" | sort >got-mains
  expect_equal_content got-mains want-mains "the main packages of ./..."
  (cd bin && ls) | sort >built
  expect_equal "$(cat built | tr '\n' ' ')" "a b cgo " "binaries written"

  TEST "small things: fetch -o -, cache clean --older-than=DUR, cache lst, config columns"
  export PGO_GO_CACHE_DIR=$TEST_DIR/cache
  pgo_go fetch --from "$PROFILE" -o -
  expect_exit 0
  cmp -s "$RUN_OUT" "$(ls "$TEST_DIR"/cache/profiles/*.pgo)" || test_failed "fetch -o - wrote other bytes than the cache holds"
  expect_contains "$RUN_ERR" "wrote standard output:"
  expect_file_missing ./-
  pgo_go cache clean --older-than=30d
  expect_exit 0
  pgo_go cache lst
  expect_exit 2
  expect_stderr "pgo-go: unknown cache command 'lst' (list, clean or path)"
  pgo_go config
  expect_exit 0
  [[ $(awk -F' = ' '{ print index($0, " = ") }' "$RUN_OUT" | sort -u | wc -l) == 1 ]] ||
    test_failed "config columns are not aligned:" "$(cat "$RUN_OUT")"
}

# tool_proxy DIR: a file:// module proxy holding example.com/tools v1.0.0
# with two commands, cmd/one and cmd/two.
tool_proxy() {
  local p=$1 src=$TEST_DIR/tools-src/example.com/tools@v1.0.0
  mkdir -p "$src/cmd/one" "$src/cmd/two" "$p/example.com/tools/@v"
  printf 'module example.com/tools\n\ngo 1.26\n' >"$src/go.mod"
  printf 'package main\n\nfunc main() { println(1) }\n' >"$src/cmd/one/main.go"
  printf 'package main\n\nfunc main() { println(2) }\n' >"$src/cmd/two/main.go"
  cp "$src/go.mod" "$p/example.com/tools/@v/v1.0.0.mod"
  printf '{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}\n' >"$p/example.com/tools/@v/v1.0.0.info"
  printf 'v1.0.0\n' >"$p/example.com/tools/@v/list"
  (cd "$TEST_DIR/tools-src" && zip -qrD "$p/example.com/tools/@v/v1.0.0.zip" example.com)
}
