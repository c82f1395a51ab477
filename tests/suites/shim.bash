# The shim: pgo-go installed as `go` first on PATH. Every command but build
# and install goes straight to the real go; build and install get -pgo with
# the service's profile, and the binary is checked afterwards. Each test
# builds small modules it writes itself with the real toolchain, and checks
# the binaries with the real `go version -m`.

SUITE_shim_PROBE() {
  [[ -f $FIXTURES/cpu.pprof ]] || echo "no fixture profile $FIXTURES/cpu.pprof"
}

# broken_goroot DIR: a GOROOT of links to the real one whose compile
# crashes on package main built with a profile (BREAK=compile) or on
# anything (BREAK=always), and whose preprofile fails (BREAK=preprofile).
broken_goroot() {
  local real tools e dir=$1
  real=$("$REAL_GO" env GOROOT)
  tools=$("$REAL_GO" env GOTOOLDIR)
  local bin=$dir/pkg/tool/${tools##*/}
  mkdir -p "$bin"
  for e in "$real"/*; do [[ ${e##*/} == pkg ]] || ln -s "$e" "$dir/"; done
  for e in "$real"/pkg/*; do [[ ${e##*/} == tool ]] || ln -s "$e" "$dir/pkg/"; done
  for e in "$tools"/*; do ln -s "$e" "$bin/"; done
  rm "$bin/compile" "$bin/preprofile"
  cat >"$bin/compile" <<SH
#!/bin/bash
pgo=0 main=0
for a; do
  [[ \$a == -pgoprofile=* ]] && pgo=1
  [[ \$a == main ]] && main=1
done
if [[ \$1 != -V* ]] && [[ \$BREAK == always || \$BREAK\$pgo\$main == compile11 ]]; then
  echo "./main.go:1:1: internal compiler error: a crash on the profile, for the test" >&2
  exit 1
fi
exec "$tools/compile" "\$@"
SH
  cat >"$bin/preprofile" <<SH
#!/bin/bash
if [[ \$BREAK == preprofile && \$1 != -V* ]]; then
  echo "preprofile: error parsing profile: a failure, for the test" >&2
  exit 1
fi
exec "$tools/preprofile" "\$@"
SH
  chmod +x "$bin/compile" "$bin/preprofile"
}

SUITE_shim_SETUP() {
  PROFILE=$FIXTURES/cpu.pprof
}

# write_main DIR [MODULE]: a main package in DIR (its own module if MODULE).
write_main() {
  mkdir -p "$1"
  if [[ -n ${2:-} ]]; then
    printf 'module %s\n\ngo 1.26\n' "$2" >"$1/go.mod"
  fi
  cat >"$1/main.go" <<'GO'
package main

import "fmt"

type shape interface{ area() float64 }
type square struct{ s float64 }

func (q square) area() float64 { return q.s * q.s }

func main() {
	var total float64
	for i := 0; i < 10; i++ {
		var sh shape = square{float64(i)}
		total += sh.area()
	}
	fmt.Println(total)
}
GO
}

write_lib() {
  mkdir -p "$1"
  printf 'package lib\n\nfunc Twice(x int) int { return 2 * x }\n' >"$1/lib.go"
}

SUITE_shim() {
  TEST "pass-through: go version, go env, go list -json are byte-identical"
  use_shim
  write_main app example.com/app
  cd app
  for args in "version" "env GOROOT" "env -json GOOS GOARCH" "list -json ." "help build"; do
    # shellcheck disable=SC2086
    real_go $args
    local want_out=$RUN_OUT want_err=$RUN_ERR want_status=$RUN_STATUS
    # shellcheck disable=SC2086
    run go $args
    expect_equal_content "$RUN_OUT" "$want_out" "stdout of go $args"
    expect_equal_content "$RUN_ERR" "$want_err" "stderr of go $args"
    expect_exit "$want_status"
  done

  TEST "masquerade by symlink: build gets the profile, silently"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_PROFILE=$PROFILE run go build
  expect_exit 0
  expect_empty "$RUN_OUT"
  expect_empty "$RUN_ERR"
  expect_pgo app "$PROFILE"

  TEST "masquerade by hardlink and by copy"
  write_main app example.com/app
  mkdir -p hard copy
  ln "$PGO_GO_BIN" hard/go 2>/dev/null || cp "$PGO_GO_BIN" hard/go
  cp "$PGO_GO_BIN" copy/go
  for dir in hard copy; do
    (cd app && PATH=$TEST_DIR/$dir:$SUITE_PATH PGO_GO_PROFILE=$PROFILE \
      run "$TEST_DIR/$dir/go" build -o "$TEST_DIR/app-$dir" .)
    expect_pgo "app-$dir" "$PROFILE"
  done

  TEST "explicit mode: pgo-go go build"
  write_main app example.com/app
  cd app
  PGO_GO_PROFILE=$PROFILE pgo_go go build -o out .
  expect_exit 0
  expect_pgo out "$PROFILE"

  TEST "the shim twice on PATH, and a relative entry, do not loop"
  use_shim
  write_main app example.com/app
  mkdir -p shim2 && ln -sf "$PGO_GO_BIN" shim2/go
  cd app
  PATH=../shim2:$TEST_DIR/shim:$TEST_DIR/shim:../shim2:$SUITE_PATH PGO_GO_PROFILE=$PROFILE \
    run go build
  expect_exit 0
  expect_pgo app "$PROFILE"

  TEST "no real go on PATH: one line, exit 127"
  mkdir -p only && ln -sf "$PGO_GO_BIN" only/go
  PATH=$TEST_DIR/only:/usr/bin:/bin run "$TEST_DIR/only/go" version
  expect_exit 127
  expect_line_count "$RUN_ERR" 1
  expect_contains "$RUN_ERR" "pgo-go: no real go found"

  TEST "PGO_GO_REAL names the real go"
  mkdir -p only && ln -sf "$PGO_GO_BIN" only/go
  write_main app example.com/app
  cd app
  PATH=$TEST_DIR/only:/usr/bin:/bin PGO_GO_REAL=$REAL_GO PGO_GO_PROFILE=$PROFILE \
    run "$TEST_DIR/only/go" build
  expect_exit 0
  expect_pgo app "$PROFILE"

  TEST "-C dir, before and after the subcommand"
  use_shim
  write_main app example.com/app
  PGO_GO_PROFILE=$PROFILE run go -C app build -o first
  expect_exit 0
  expect_pgo app/first "$PROFILE"
  PGO_GO_PROFILE=$PROFILE run go build -C app -o second
  expect_exit 0
  expect_pgo app/second "$PROFILE"

  TEST "-pgo chosen by the user, on the command line or in GOFLAGS, is left alone"
  use_shim
  write_main app example.com/app
  cp "$PROFILE" app/other.pgo
  cd app
  PGO_GO_PROFILE=$PROFILE run go build -pgo=off -o off
  expect_exit 0
  expect_pgo off ""
  PGO_GO_PROFILE=$PROFILE run go build -pgo=other.pgo -o mine
  expect_exit 0
  expect_pgo mine "$TEST_DIR/app/other.pgo"
  GOFLAGS="-pgo=$TEST_DIR/app/other.pgo" PGO_GO_PROFILE=$PROFILE run go build -o env
  expect_exit 0
  expect_pgo env "$TEST_DIR/app/other.pgo"

  TEST "GOFLAGS without -pgo: the profile is added; -trimpath records the file name"
  use_shim
  write_main app example.com/app
  cd app
  GOFLAGS=-trimpath PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go build
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo app "$(basename "$PROFILE")"
  PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go build -trimpath -o t2
  expect_exit 0
  expect_pgo t2 "$(basename "$PROFILE")"

  TEST "-o file and -o dir/"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_PROFILE=$PROFILE PGO_GO_VERBOSE=1 run go build -o bin/file .
  expect_exit 0
  expect_pgo bin/file "$PROFILE"
  expect_line "$RUN_ERR" "^pgo-go: .*/bin/file: service app, profile .* verified$"
  PGO_GO_PROFILE=$PROFILE PGO_GO_VERBOSE=1 run go build -o outdir/ .
  expect_exit 0
  expect_pgo outdir/app "$PROFILE"
  expect_line "$RUN_ERR" "/outdir/app: service app, .*verified$"

  TEST "go install into GOBIN, and into GOPATH/bin without it"
  use_shim
  write_main app example.com/app
  cd app
  GOBIN=$TEST_DIR/gobin PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go install .
  expect_exit 0
  expect_pgo "$TEST_DIR/gobin/app" "$PROFILE"
  PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go install
  expect_exit 0
  expect_pgo "$TEST_DIR/gopath/bin/app" "$PROFILE"

  TEST "go install with a major-version module path names the binary as go does"
  use_shim
  write_main tool example.com/tool/v2
  cd tool
  PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict PGO_GO_VERBOSE=1 run go install
  expect_exit 0
  expect_pgo "$TEST_DIR/gopath/bin/tool" "$PROFILE"
  expect_contains "$RUN_ERR" "service tool,"

  TEST "go install pkg@version from a local module proxy"
  use_shim
  write_main src/tool
  python3 - "$TEST_DIR/proxy" "$TEST_DIR/src/tool" <<'PY'
import os, sys, zipfile
proxy, src = sys.argv[1], sys.argv[2]
mod, ver = "example.com/tool", "v1.0.0"
d = os.path.join(proxy, mod, "@v")
os.makedirs(d, exist_ok=True)
gomod = f"module {mod}\n\ngo 1.26\n"
open(os.path.join(d, "list"), "w").write(ver + "\n")
open(os.path.join(d, ver + ".info"), "w").write('{"Version":"%s","Time":"2026-01-01T00:00:00Z"}' % ver)
open(os.path.join(d, ver + ".mod"), "w").write(gomod)
with zipfile.ZipFile(os.path.join(d, ver + ".zip"), "w") as z:
    z.writestr(f"{mod}@{ver}/go.mod", gomod)
    z.writestr(f"{mod}@{ver}/main.go", open(os.path.join(src, "main.go")).read())
PY
  GOPROXY=file://$TEST_DIR/proxy GOSUMDB=off PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go install example.com/tool@v1.0.0
  expect_exit 0
  expect_pgo "$TEST_DIR/gopath/bin/tool" "$PROFILE"

  TEST "cross-compiling for windows: app.exe is found and verified"
  use_shim
  write_main app example.com/app
  cd app
  GOOS=windows GOARCH=amd64 PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go build
  expect_exit 0
  expect_pgo app.exe "$PROFILE"
  GOOS=windows GOARCH=amd64 PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict run go install
  expect_exit 0
  expect_pgo "$TEST_DIR/gopath/bin/windows_amd64/app.exe" "$PROFILE"

  TEST "two main packages, two services, one command: each gets its own profile"
  use_shim
  mkdir -p mono/profiles
  printf 'module example.com/mono\n\ngo 1.26\n' >mono/go.mod
  write_main mono/cmd/rider
  write_main mono/cmd/driver
  write_lib mono/lib
  printf '[services]\n./cmd/rider = rider-svc\n./cmd/driver = driver-svc\n' >mono/.pgo-go.ini
  cp "$PROFILE" mono/profiles/rider-svc.pgo
  # a different profile (same data, gzip level changed) so the files differ
  python3 -c 'import gzip,sys; d=gzip.decompress(open(sys.argv[1],"rb").read()); open(sys.argv[2],"wb").write(gzip.compress(d, 1))' \
    "$PROFILE" mono/profiles/driver-svc.pgo
  cd mono
  PGO_GO_PROFILE_DIR=$TEST_DIR/mono/profiles PGO_GO_VERIFY=strict run go build -o out/ ./...
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo out/rider "$TEST_DIR/mono/profiles/rider-svc.pgo"
  expect_pgo out/driver "$TEST_DIR/mono/profiles/driver-svc.pgo"
  expect_file_missing out/lib

  TEST "a library-only build passes straight through, silently"
  use_shim
  mkdir -p lib && printf 'module example.com/lib\n\ngo 1.26\n' >lib/go.mod
  write_lib lib
  cd lib
  run go build ./...
  expect_exit 0
  expect_empty "$RUN_ERR"

  TEST "a failing compile: same stderr and exit status as the real go"
  use_shim
  write_main app example.com/app
  printf 'package main\n\nfunc broken() { undefined() }\n' >app/broken.go
  cd app
  real_go build -o real-out .
  local want_err=$RUN_ERR want_status=$RUN_STATUS
  PGO_GO_PROFILE=$PROFILE run go build -o shim-out .
  expect_exit "$want_status"
  expect_equal_content "$RUN_ERR" "$want_err" "stderr of a failing build"

  TEST "an invalid profile: one warning, the build runs without it"
  use_shim
  write_main app example.com/app
  echo "not a profile" >bad.pgo
  cd app
  PGO_GO_PROFILE=$TEST_DIR/bad.pgo run go build
  expect_exit 0
  expect_line_count "$RUN_ERR" 2
  expect_line "$RUN_ERR" "^pgo-go: warning: ignoring profile .*bad.pgo"
  expect_pgo app ""

  TEST "a profile shared by several main packages is read and validated once: one warning"
  use_shim
  mkdir -p mono
  printf 'module example.com/mono\n\ngo 1.26\n' >mono/go.mod
  write_main mono/cmd/rider
  write_main mono/cmd/driver
  write_main mono/cmd/admin
  echo "not a profile" >bad.pgo
  cd mono
  PGO_GO_PROFILE=$TEST_DIR/bad.pgo run go build -o out/ ./...
  expect_exit 0
  expect_equal "$(grep -c 'ignoring profile' "$RUN_ERR")" 1 "warnings about the profile"
  expect_pgo out/rider ""
  expect_pgo out/admin ""

  TEST "PGO_GO_REQUIRE=1 without a usable profile: exit 1, nothing built"
  use_shim
  write_main app example.com/app
  echo "not a profile" >bad.pgo
  cd app
  PGO_GO_PROFILE=$TEST_DIR/bad.pgo PGO_GO_REQUIRE=1 run go build
  expect_exit 1
  expect_line "$RUN_ERR" "^pgo-go: no profile for service 'app' and PGO_GO_REQUIRE is set"
  expect_file_missing app

  TEST "a committed default.pgo is left to go's -pgo=auto and verified"
  use_shim
  write_main app example.com/app
  cp "$PROFILE" app/default.pgo
  cd app
  PGO_GO_VERIFY=strict run go build
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo app "$TEST_DIR/app/default.pgo"

  TEST "an unusable committed default.pgo: a warning and -pgo=off, not a failed build"
  use_shim
  write_main app example.com/app
  echo "junk" >app/default.pgo
  cd app
  real_go build -o real-app .
  expect_exit 1
  run go build
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: warning: ignoring .*default.pgo"
  expect_pgo app ""

  TEST "verification: a go that drops -pgo is caught (warn, strict, off)"
  write_main app example.com/app
  # A stand-in for a toolchain that ignores the flag: it removes -pgo=… and
  # runs the real go.
  cat >dropper <<SH
#!/usr/bin/env bash
args=()
for a in "\$@"; do [[ \$a == -pgo=* ]] || args+=("\$a"); done
exec "$REAL_GO" "\${args[@]}"
SH
  chmod +x dropper
  cd app
  PGO_GO_REAL=$TEST_DIR/dropper PGO_GO_PROFILE=$PROFILE pgo_go go build
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: warning: .*/app: profile not verified: built without -pgo$"
  PGO_GO_REAL=$TEST_DIR/dropper PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=strict pgo_go go build
  expect_exit 1
  expect_line "$RUN_ERR" "^pgo-go: .*/app: profile not verified: built without -pgo \(PGO_GO_VERIFY=strict\)$"
  PGO_GO_REAL=$TEST_DIR/dropper PGO_GO_PROFILE=$PROFILE PGO_GO_VERIFY=off pgo_go go build
  expect_exit 0
  expect_empty "$RUN_ERR"

  TEST "a nested go (guard variable set) passes straight through"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_ACTIVE=$REAL_GO PGO_GO_PROFILE=$PROFILE run go build
  expect_exit 0
  expect_pgo app ""

  TEST "PGO_GO_DISABLE=1: pure pass-through"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_DISABLE=1 PGO_GO_PROFILE=$PROFILE run go build
  expect_exit 0
  expect_pgo app ""

  TEST "go build -n and -h are passed through"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_PROFILE=$PROFILE run go build -n
  expect_exit 0
  expect_not_contains "$RUN_ERR" "-pgo="
  real_go build -h
  local want=$RUN_ERR
  run go build -h
  expect_equal_content "$RUN_ERR" "$want" "go build -h"

  TEST "configuration: project file, origins, errors with file and line"
  use_shim
  write_main app example.com/app
  printf '[pgo-go]\nverify = strict\n' >app/.pgo-go.ini
  mkdir -p .config/pgo-go && printf 'window = 2h\n' >.config/pgo-go/config.ini
  cd app
  PGO_GO_URL=http://127.0.0.1:9 pgo_go config
  expect_exit 0
  expect_line "$RUN_OUT" "^verify += strict +# .*/app/.pgo-go.ini:2$"
  expect_line "$RUN_OUT" "^window += 2h +# .*/.config/pgo-go/config.ini:1$"
  expect_line "$RUN_OUT" "^url += http://127.0.0.1:9 +# environment \(PGO_GO_URL\)$"
  printf '[pgo-go]\nverify = strict\ncolour = blue\n' >.pgo-go.ini
  PGO_GO_PROFILE=$PROFILE run go build
  expect_exit 1
  expect_stderr "pgo-go: $TEST_DIR/app/.pgo-go.ini:3: unknown key 'colour'"
  printf 'token = s3cret\n' >.pgo-go.ini
  PGO_GO_PROFILE=$PROFILE run go build
  expect_exit 1
  expect_contains "$RUN_ERR" "a secret may not be in a project file"
  expect_not_contains "$RUN_ERR" "s3cret"

  TEST "settings: a bad value from a file, the environment or a flag is one error naming where"
  use_shim
  write_main app example.com/app
  cd app
  printf '[pgo-go]\nverify = strcit\n' >.pgo-go.ini
  PGO_GO_PROFILE=$PROFILE run go build -o out
  expect_exit 1
  expect_stderr "pgo-go: $TEST_DIR/app/.pgo-go.ini:2: verify = 'strcit': not one of off, warn, strict"
  expect_file_missing out
  rm .pgo-go.ini
  PGO_GO_REQUIRE=ye PGO_GO_PROFILE=$PROFILE run go build -o out
  expect_exit 1
  expect_stderr "pgo-go: PGO_GO_REQUIRE='ye': not a boolean (1, true, yes, on or 0, false, no, off)"
  pgo_go config
  expect_exit 0
  PGO_GO_WINDOW=25h pgo_go config
  expect_exit 1
  expect_stderr "pgo-go: PGO_GO_WINDOW='25h': out of range: it must be between 1m and 24h"
  pgo_go fetch --url 127.0.0.1:4040 --service x
  expect_exit 2
  expect_stderr "pgo-go: --url '127.0.0.1:4040': not a URL: it must start with http:// or https://"
  # Pass-through commands read no file: a bad file does not break them.
  printf '[pgo-go]\nverify = strcit\n' >.pgo-go.ini
  run go env GOOS
  expect_exit 0
  expect_empty "$RUN_ERR"

  TEST "settings: an inline # comment is a comment; ca_file works in a file; '-' maps to no profile"
  use_shim
  write_main app example.com/app
  cd app
  printf '[pgo-go]\nrequire = yes   # never ship without PGO\nca_file = /etc/ssl/x.pem\n[services]\n. = -  # a tool\n' >.pgo-go.ini
  pgo_go config
  expect_exit 0
  expect_line "$RUN_OUT" "^require += yes +# .*/app/.pgo-go.ini:2$"
  expect_line "$RUN_OUT" "^ca_file += /etc/ssl/x.pem +# .*/app/.pgo-go.ini:3$"
  expect_line "$RUN_OUT" "^service \. = - # .*/app/.pgo-go.ini:5$"
  # Mapped to no profile: no warning, and REQUIRE does not fail it.
  PGO_GO_URL=http://127.0.0.1:9 run go build -o out
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_pgo out ""

  TEST "settings: real = PATH in a config file is the go that builds"
  use_shim
  write_main app example.com/app
  # A go that records that it ran, then runs the real one.
  printf '#!/bin/sh\necho "$@" >>"%s/real-ran"\nexec "%s" "$@"\n' "$TEST_DIR" "$REAL_GO" >"$TEST_DIR/realgo"
  chmod +x "$TEST_DIR/realgo"
  printf '[pgo-go]\nreal = %s\n' "$TEST_DIR/realgo" >app/.pgo-go.ini
  cd app
  PGO_GO_PROFILE=$PROFILE run go build -o out
  expect_exit 0
  expect_pgo out "$PROFILE"
  expect_line "$TEST_DIR/real-ran" "^build -pgo=$PROFILE -o out$"
  # The environment's PGO_GO_REAL wins over the file.
  rm -f "$TEST_DIR/real-ran"
  PGO_GO_REAL=$REAL_GO PGO_GO_PROFILE=$PROFILE run go build -o out2
  expect_exit 0
  expect_file_missing "$TEST_DIR/real-ran"

  TEST "PGO_GO_REAL naming pgo-go itself: one error, no loop"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_REAL=$(command -v go) run timeout 10 go version
  expect_exit 127
  expect_stderr "pgo-go: PGO_GO_REAL names $TEST_DIR/shim/go, which is pgo-go itself, not the real go: point it at the Go toolchain's bin/go, or unset it to take the first go on PATH after pgo-go"
  printf '[pgo-go]\nreal = %s\n' "$PGO_GO_BIN" >.pgo-go.ini
  PGO_GO_PROFILE=$PROFILE run timeout 10 go build -o out
  expect_exit 1
  expect_contains "$RUN_ERR" "pgo-go: real ($TEST_DIR/app/.pgo-go.ini:2) names $PGO_GO_BIN, which is pgo-go itself"

  TEST "the README's settings list is pgo-go config --list"
  pgo_go config --list
  expect_exit 0
  sed -n '/<!-- settings:begin -->/,/<!-- settings:end -->/p' "$PGO_GO_SRC/README.md" | sed '1d;$d' >readme-table
  expect_equal_content readme-table "$RUN_OUT" "the README's settings table (regenerate it with pgo-go config --list)"

  TEST "install-shim creates DIR/go and prints the PATH line"
  pgo_go install-shim "$TEST_DIR/sh"
  expect_exit 0
  expect_stdout "export PATH=\"$TEST_DIR/sh:\$PATH\""
  expect_equal "$(readlink "$TEST_DIR/sh/go")" "$PGO_GO_BIN" "the link"
  pgo_go install-shim "$TEST_DIR/sh"
  expect_exit 0

  TEST "install-shim creates missing parent directories, 0755, and names one it cannot"
  # A Dockerfile's /opt/pgo-go/shim: neither directory exists yet (issue 12).
  local mask
  mask=$(umask)
  umask 022
  pgo_go install-shim "$TEST_DIR/opt/pgo-go/shim"
  umask "$mask"
  expect_exit 0
  expect_no_crash
  expect_stdout "export PATH=\"$TEST_DIR/opt/pgo-go/shim:\$PATH\""
  [[ -L $TEST_DIR/opt/pgo-go/shim/go ]] || test_failed "no link opt/pgo-go/shim/go"
  expect_equal "$(stat -c %a opt opt/pgo-go opt/pgo-go/shim | tr '\n' ' ')" "755 755 755 " \
    "the directories' modes"
  pgo_go install-shim "opt//pgo-go/other/"
  expect_exit 0
  [[ -L opt/pgo-go/other/go ]] || test_failed "no link opt/pgo-go/other/go (a relative path)"
  : >afile
  pgo_go install-shim "$TEST_DIR/afile/sub/shim"
  expect_exit 1
  expect_stderr "pgo-go: cannot create $TEST_DIR/afile/sub: Not a directory"

  TEST "PGO_GO_LOG: the command, go's run and status, the verdict; whole lines from parallel shims"
  use_shim
  write_main app example.com/app
  cd app
  PGO_GO_LOG=$TEST_DIR/log PGO_GO_PROFILE=$PROFILE run go build -o 'out put'
  expect_exit 0
  expect_empty "$RUN_ERR"
  local stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z pgo-go\[[0-9]+\]: '
  expect_line "$TEST_DIR/log" "${stamp}command: go build -o 'out put'\$"
  expect_line "$TEST_DIR/log" "${stamp}$REAL_GO: go build -pgo=$PROFILE -o 'out put'\$"
  expect_line "$TEST_DIR/log" "${stamp}go exited with status 0\$"
  expect_line "$TEST_DIR/log" "${stamp}$TEST_DIR/app/out put: service app, profile $PROFILE \\(PGO_GO_PROFILE\\), verified\$"
  expect_line_count "$TEST_DIR/log" 4
  # A failing compile is logged with go's status.
  printf 'package main\nfunc main() { x }\n' >bad.go
  : >"$TEST_DIR/log"
  PGO_GO_LOG=$TEST_DIR/log PGO_GO_PROFILE=$PROFILE run go build -o out2
  expect_exit 1
  expect_line "$TEST_DIR/log" "${stamp}go exited with status 1\$"
  rm bad.go
  # Eight shims at once append whole lines: every line well-formed.
  : >"$TEST_DIR/log"
  local i
  for i in 1 2 3 4 5 6 7 8; do
    PGO_GO_LOG=$TEST_DIR/log PGO_GO_PROFILE=$PROFILE go build -o "par$i" >/dev/null 2>&1 &
  done
  wait
  expect_line_count "$TEST_DIR/log" 32
  expect_equal "$(grep -cvE "$stamp" "$TEST_DIR/log")" 0 "log lines without time and pid"
  # A log that cannot be written: one warning, the build runs.
  PGO_GO_LOG=$TEST_DIR/no/such/dir/log PGO_GO_PROFILE=$PROFILE run go build -o out3
  expect_exit 0
  expect_stderr "pgo-go: warning: cannot open the log file $TEST_DIR/no/such/dir/log (PGO_GO_LOG): No such file or directory; not logging"
  expect_pgo out3 "$PROFILE"

  TEST "a profile that breaks the build: built again with -pgo=off, once, and only then"
  use_shim
  write_main app example.com/app
  # The real go, with a toolchain whose compiler crashes on a profile (as
  # Go 1.22.0's did, golang/go#65615) and whose preprofile fails: a GOROOT
  # of links to this one, its compile and preprofile wrapped.
  broken_goroot "$TEST_DIR/goroot"
  export GOROOT=$TEST_DIR/goroot PGO_GO_REAL=$TEST_DIR/goroot/bin/go
  # go keeps what preprofile and compile made: a profile whose bytes no
  # other build had (gzip records the time), and main.go changed below.
  local fresh=$TEST_DIR/fresh.pprof
  gzip -dc "$PROFILE" >"$TEST_DIR/fresh"
  touch -d "@$((1000000000 + RANDOM * 32768 + RANDOM))" "$TEST_DIR/fresh"
  gzip -c "$TEST_DIR/fresh" >"$fresh"
  cd app
  BREAK=preprofile PGO_GO_PROFILE=$fresh run go build -o out1 .
  expect_exit 0
  expect_line "$RUN_ERR" "^# $fresh$"
  expect_line "$RUN_ERR" "^preprofile: error parsing profile: a failure, for the test$"
  expect_line "$RUN_ERR" "^pgo-go: warning: the profile $fresh broke the build: go tool preprofile failed on it; building again with -pgo=off$"
  expect_line_count "$RUN_ERR" 3
  expect_pgo out1 ""
  BREAK=compile PGO_GO_PROFILE=$PROFILE run go build -o out2 .
  expect_exit 0
  expect_line "$RUN_ERR" "^\./main\.go:1:1: internal compiler error: a crash on the profile, for the test$"
  expect_line "$RUN_ERR" "^pgo-go: warning: the profile $PROFILE broke the build: the compiler crashed \(an internal compiler error\); building again with -pgo=off$"
  expect_line_count "$RUN_ERR" 3
  expect_pgo out2 ""
  # Strict: go's failure stands, and pgo-go says why.
  BREAK=compile PGO_GO_REQUIRE=1 PGO_GO_PROFILE=$PROFILE run go build -o out3 .
  expect_exit 1
  expect_line "$RUN_ERR" "^pgo-go: the profile $PROFILE broke the build: the compiler crashed \(an internal compiler error\); PGO_GO_REQUIRE is set, so not building again without it$"
  expect_file_missing out3
  # A crash the profile did not cause (the user's -pgo=off): no second run.
  echo "// changed" >>main.go
  BREAK=always PGO_GO_PROFILE=$PROFILE run go build -pgo=off -o out4 .
  expect_exit 1
  expect_equal "$(grep -c "internal compiler error" "$RUN_ERR")" 1 "compiler crashes printed"
  expect_not_contains "$RUN_ERR" "pgo-go"
  # An ordinary compile error is never built again.
  printf 'package main\nfunc main() { undefined() }\n' >main.go
  PGO_GO_PROFILE=$PROFILE run go build -o out5 .
  expect_exit 1
  expect_not_contains "$RUN_ERR" "pgo-go"
  expect_equal "$(grep -c "undefined: undefined" "$RUN_ERR")" 1 "compile errors printed"

  TEST "SIGINT during a build: go gets it, the shim dies by the same signal"
  use_shim
  write_main app example.com/app
  cd app
  # -a rebuilds the standard library: long enough to interrupt. Job control
  # on, so the background job does not start with SIGINT ignored.
  set -m
  GOCACHE=$TEST_DIR/cache PGO_GO_PROFILE=$PROFILE go build -a -o app-int . \
    >"$TEST_DIR/int.out" 2>&1 &
  local pid=$!
  sleep 2
  kill -INT "$pid"
  wait "$pid"
  local st=$?
  set +m
  expect_equal "$st" 130 "exit status of an interrupted build (128+SIGINT)"
  expect_file_missing app-int
  sleep 0.5
  expect_equal "$(pgrep -f "go build -a -o app-int" | wc -l)" 0 "go processes left running"
}
