# The profile fit (issue 11), through its test driver tests/tools/fit_tool
# until `pgo-go verify` and the shim print it: real binaries built here by
# the real toolchain, real CPU profiles taken of them, and every number
# checked against tests/tools/fitoracle, which computes the same fit from
# the binary's DWARF (line tables, inlined subroutines) and the compiler's
# own reading of the profile (`go tool preprofile`).
#
# The program profiled (fitapp, written by the setup) spends its time in
# main.hot, whose loop calls shapes.Area and main.score: the profile's
# heaviest own-code edges leave main.hot at known lines.

SUITE_fit_PROBE() {
  [[ -x ${PGO_GO_FIT_TOOL:-} ]] || echo "no fit_tool (PGO_GO_FIT_TOOL)"
  command -v python3 >/dev/null || echo "python3 is needed to read the fit's JSON"
}

# write_fitapp DIR [MODULE]: the program, with main.hot as it is in the
# profile. Lines matter: hot starts at line 27, its calls are at 30 and 31
# (offsets 3 and 4). main.score is too big to inline without a profile.
write_fitapp() {
  local dir=$1 mod=${2:-example.com/fitapp}
  mkdir -p "$dir/shapes"
  printf 'module %s\n\ngo 1.26\n' "$mod" >"$dir/go.mod"
  cat >"$dir/main.go" <<GO
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"$mod/shapes"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-profile" {
		f, err := os.Create(os.Args[2])
		if err != nil || pprof.StartCPUProfile(f) != nil {
			panic("cannot profile")
		}
		defer pprof.StopCPUProfile()
	}
	var sum float64
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		sum += hot(4000)
	}
	fmt.Println(sum > 0)
}

func hot(n int) float64 {
	var total float64
	for i := 0; i < n; i++ {
		total += shapes.Area(i)
		total += score(i)
	}
	return total
}

func score(i int) float64 {
	x := float64(i%97) + 0.5
	for k := 0; k < 12; k++ {
		x = x*1.0001 + float64(k)/x
		if x > 1e6 {
			x /= 3
		}
	}
	switch i % 4 {
	case 0:
		x += 1
	case 1:
		x -= 2
	case 2:
		x *= 1.5
	}
	return x
}
GO
  cat >"$dir/shapes/shapes.go" <<'GO'
// Package shapes is fitapp's library: Area is hot.
package shapes

// Area does enough work not to be inlined without a profile.
func Area(i int) float64 {
	w, h := float64(i%13)+1, float64(i%7)+1
	a := 0.0
	for k := 0; k < 8; k++ {
		a += w*h/(float64(k)+1) - float64(k%3)
		w, h = h, w+0.25
	}
	return a
}
GO
}

SUITE_fit_SETUP() {
  # Each test starts without PGO_GO_* variables but the driver's three.
  FIT_TOOL=$PGO_GO_FIT_TOOL
  WORK=$SUITE_TMP/work
  mkdir -p "$WORK"
  export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
  "$REAL_GO" build -C "$PGO_GO_SRC/tests/tools" -o "$WORK/fitoracle" ./fitoracle ||
    echo "setup: cannot build fitoracle"
  # The program, profiled once; its reduced, canonical profile is the one
  # a -pgo build gets. preprofile is the compiler's reading of it.
  write_fitapp "$WORK/app"
  "$REAL_GO" build -C "$WORK/app" -pgo=off -o "$WORK/app.bin" . &&
    "$WORK/app.bin" -profile "$WORK/raw.pprof" >/dev/null &&
    "$FIT_TOOL" --rewrite "$WORK/raw.pprof" "$WORK/own.pgo" &&
    "$REAL_GO" tool preprofile -i "$WORK/own.pgo" -o "$WORK/own.pre" ||
    echo "setup: cannot profile fitapp"
  export -n GOFLAGS GOPROXY
}

# fit BINARY PROFILE: runs fit_tool; its JSON in $TEST_DIR/fit.json.
fit() {
  run "$FIT_TOOL" "$1" "$2"
  expect_exit 0
  expect_no_crash
  cp "$RUN_OUT" "$TEST_DIR/fit.json"
}

# field KEY [FILE]: one value of the fit's JSON ("a.b" for nested keys).
field() {
  python3 - "$1" "${2:-$TEST_DIR/fit.json}" <<'EOF'
import json, sys
v = json.load(open(sys.argv[2]))
for k in sys.argv[1].split("."):
    v = v[k]
print(json.dumps(v) if isinstance(v, (list, dict)) else v)
EOF
}

# expect_at_least VALUE MIN WHAT / expect_below VALUE MAX WHAT (reals)
expect_at_least() {
  python3 -c "import sys; sys.exit(not float('$1') >= float('$2'))" ||
    test_failed "$3 is $1, expected at least $2"
}
expect_below() {
  python3 -c "import sys; sys.exit(not float('$1') < float('$2'))" ||
    test_failed "$3 is $1, expected below $2"
}

# expect_oracle BINARY [DWARF_TWIN] PROFILE: the weights fit_tool found
# (in fit.json) are the oracle's, computed from DWARF and preprofile.
expect_oracle() {
  local bin=$1 twin=$1 profile=$2
  if (($# == 3)); then twin=$2 profile=$3; fi
  "$REAL_GO" tool preprofile -i "$profile" -o "$TEST_DIR/oracle.pre" 2>"$TEST_DIR/pre.err" ||
    test_failed "preprofile failed on $profile" "$(cat "$TEST_DIR/pre.err")"
  "$WORK/fitoracle" "$twin" "$TEST_DIR/oracle.pre" >"$TEST_DIR/oracle.json" 2>"$TEST_DIR/oracle.err" ||
    test_failed "fitoracle failed on $twin" "$(cat "$TEST_DIR/oracle.err")"
  local k
  for k in weight fit_weight own_weight own_fit_weight; do
    expect_equal "$(field $k)" "$(field $k "$TEST_DIR/oracle.json")" "$k (C against the oracle, $bin)"
  done
}

# expect_index_like_oracle BINARY [DWARF_TWIN] PACKAGE_REGEX: every function
# of the packages matching the regex has the oracle's start line and lines,
# and at least 95% of all functions do (assembly functions have no start
# line in DWARF, and the last line of some differs).
expect_index_like_oracle() {
  local bin=$1 twin=$1 own=$2
  if (($# == 3)); then twin=$2 own=$3; fi
  run "$FIT_TOOL" --index "$bin"
  expect_exit 0
  expect_no_crash
  sort "$RUN_OUT" >"$TEST_DIR/c.idx"
  "$WORK/fitoracle" -index "$twin" >"$TEST_DIR/go.idx" 2>"$TEST_DIR/go.err" ||
    test_failed "fitoracle -index failed on $twin" "$(cat "$TEST_DIR/go.err")"
  local verdict
  # Both print NAME, START, FLAGS, LINES, CALLS; the flags are pgo-go's
  # own (the oracle has no host bit); the inlined calls are compared too.
  verdict=$(python3 - "$TEST_DIR/c.idx" "$TEST_DIR/go.idx" "$own" 2>&1 <<'EOF'
import re, sys
def load(p):
    d = {}
    for line in open(p):
        name, start, flags, lines, calls = line.rstrip("\n").split("\t")
        d[name] = (int(start), lines, sorted(calls.split(",")))
    return d
c, g, own = load(sys.argv[1]), load(sys.argv[2]), re.compile(sys.argv[3])
same = total = owned = 0
for name, want in g.items():
    if want[0] == 0:
        continue
    total += 1
    ok = c.get(name) == want
    same += ok
    if own.match(name):
        owned += 1
        if not ok:
            print(f"own function {name}: C {c.get(name)}, oracle {want}")
if owned == 0:
    print("no own function in the oracle's index")
if total == 0 or same < 0.95 * total:
    print(f"only {same} of {total} functions agree")
EOF
  )
  [[ -z $verdict ]] || test_failed "$bin: the function table disagrees with DWARF:" "$verdict"
}

# edges_weight PREPROFILE CALLER MIN_OFFSET: the weight of CALLER's edges
# at offsets from MIN_OFFSET on.
edges_weight() {
  awk -v caller="$2" -v min="$3" 'NR > 1 && (NR - 2) % 3 == 0 { c = $0 }
    NR > 1 && (NR - 2) % 3 == 2 && c == caller && $1 >= min { w += $2 }
    END { print w + 0 }' "$1"
}

SUITE_fit() {
  local own=$WORK/own.pgo

  TEST "a program's own profile fits it (and the oracle agrees)"
  fit "$WORK/app.bin" "$own"
  expect_at_least "$(field total)" 0.95 "total fit"
  expect_at_least "$(field own)" 0.95 "own-code fit"
  expect_at_least "$(field own_share)" 0.5 "own share"
  expect_equal "$(field cause)" none "cause"
  expect_oracle "$WORK/app.bin" "$own"
  expect_index_like_oracle "$WORK/app.bin" '^(main|example\.com/fitapp/shapes)\.'

  TEST "the raw profile fits as the reduced one does"
  fit "$WORK/app.bin" "$WORK/raw.pprof"
  expect_at_least "$(field own)" 0.95 "own-code fit"
  expect_oracle "$WORK/app.bin" "$WORK/raw.pprof"

  TEST "stripped (-s -w) and -trimpath binaries fit the same"
  write_fitapp app
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo=off -o ../plain .
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo=off -ldflags=-s\ -w -o ../stripped .
  expect_exit 0
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo=off -trimpath -o ../trimmed .
  expect_exit 0
  fit plain "$own"
  cp fit.json plain.json
  fit stripped "$own"
  expect_equal_content fit.json plain.json "fit of the stripped binary"
  expect_oracle stripped plain "$own"
  fit trimmed "$own"
  expect_equal_content fit.json plain.json "fit of the -trimpath binary"
  expect_index_like_oracle stripped plain '^main\.'

  TEST "lines inserted above the hot call sites: own fit drops by their edges' weight"
  write_fitapp app
  # Ten comment lines before line 30 (offset 3 in main.hot, which starts at
  # 27): the calls at offsets 3 and 4 move to 13 and 14, and the old lines
  # hold comments only.
  python3 - app/main.go <<'EOF'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
lines[29:29] = ["\t// inserted"] * 10
open(p, "w").write("\n".join(lines))
EOF
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo=off -o ../edited .
  expect_exit 0
  fit "$WORK/app.bin" "$own"
  cp fit.json before.json
  fit edited "$own"
  local moved
  moved=$(edges_weight "$WORK/own.pre" main.hot 3)
  expect_at_least "$moved" 1 "weight of main.hot's edges at offsets 3 and up"
  expect_equal "$(field own_fit_weight)" "$(($(field own_fit_weight before.json) - moved))" \
    "own fit weight after the insertion"
  expect_equal "$(field lost.line)" "$moved" "weight lost at call-site lines"
  expect_equal "$(field cause)" changed "cause"
  expect_oracle edited "$own"

  TEST "the hot function renamed: fit drops, a [rename] entry brings it back"
  write_fitapp app
  sed -i 's/\bhot(/hotter(/g' app/main.go
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo=off -o ../renamed .
  expect_exit 0
  fit renamed "$own"
  expect_below "$(field own)" 0.9 "own-code fit after the rename"
  expect_equal "$(field cause)" renamed "cause"
  expect_equal "$(field renamed_to)" main.hotter "the missing function's new name"
  expect_contains fit.json '"missing": ["main.hot"'
  expect_oracle renamed "$own"
  run "$FIT_TOOL" --rewrite "$own" carried.pgo --rename main.hot=main.hotter
  expect_exit 0
  fit "$WORK/app.bin" "$own"
  cp fit.json before.json
  fit renamed carried.pgo
  expect_equal "$(field fit_weight)" "$(field fit_weight before.json)" "fit weight with the rename"
  expect_equal "$(field own)" "$(field own before.json)" "own fit with the rename"

  TEST "another module's profile: no own code of this binary in it (wrong service)"
  fit "$WORK/app.bin" "$FIXTURES/cpu.pprof"
  expect_equal "$(field own_share)" 0.0 "own share"
  expect_equal "$(field cause)" wrong-service "cause"
  expect_below "$(field total)" 0.5 "total fit"
  expect_oracle "$WORK/app.bin" "$FIXTURES/cpu.pprof"

  TEST "a go test -cpuprofile profile of the main package names it by import path"
  write_fitapp app
  cat >app/hot_test.go <<'GO'
package main

import "testing"

func BenchmarkHot(b *testing.B) {
	for i := 0; i < b.N; i++ {
		hot(4000)
	}
}
GO
  TEST_TIMEOUT=120 GOFLAGS=-mod=mod GOPROXY=off real_go test -C app -run '^$' -bench . \
    -benchtime 1s -cpuprofile ../test.pprof -o ../app.test .
  expect_exit 0
  fit "$WORK/app.bin" test.pprof
  expect_equal "$(field cause)" test-profile "cause"
  expect_below "$(field own)" 0.2 "own-code fit"
  expect_at_least "$(field lost.test)" 1 "weight lost to the import path"
  expect_contains fit.json example.com/fitapp.hot
  expect_oracle "$WORK/app.bin" test.pprof

  TEST "cross-compiled fixtures: ELF, Mach-O, PE, 32-bit, big-endian, PIE"
  local b
  for b in linux-amd64/app linux-amd64/app-pie linux-arm64/app linux-386/app \
    linux-s390x/app linux-mips/app darwin-amd64/app darwin-arm64/app fat/app-universal \
    windows-amd64/app.exe windows-386/app.exe; do
    fit "$FIXTURES/bin/$b" "$FIXTURES/cpu.pprof"
    expect_equal "$(field cause)" test-profile "cause ($b)"
    expect_oracle "$FIXTURES/bin/$b" "$FIXTURES/cpu.pprof"
    expect_index_like_oracle "$FIXTURES/bin/$b" '^(main|example\.com/lib)\.'
    # The build ID the fit is kept under: go's own reader agrees (ELF's note
    # and PE's marker lie in the first page read; Mach-O's starts at 4096,
    # in the second read).
    run "$FIT_TOOL" --buildid "$FIXTURES/bin/$b"
    expect_exit 0
    expect_equal "$(cat "$RUN_OUT")" "$("$REAL_GO" tool buildid "$FIXTURES/bin/$b")" "build ID ($b)"
  done

  TEST "the example service: its table agrees with DWARF"
  # Its dependencies come from the module cache (scripts/test.sh fills it).
  if GOFLAGS=-mod=mod GOPROXY=off "$REAL_GO" list -C "$PGO_GO_SRC/examples/rideshare" -deps \
    ./cmd/rideshare >/dev/null 2>&1; then
    TEST_TIMEOUT=300 GOFLAGS=-mod=mod GOPROXY=off real_go build -C "$PGO_GO_SRC/examples/rideshare" \
      -pgo=off -o "$TEST_DIR/rideshare" ./cmd/rideshare
    expect_exit 0
    expect_index_like_oracle rideshare '^(main|example\.com/rideshare/)'
  fi

  TEST "a malformed or truncated table: fit unknown, no crash"
  # Cut in the middle of the table.
  local off size
  read -r off size < <(readelf -SW "$WORK/app.bin" |
    awk '{ for (i = 1; i < NF; i++) if ($i == ".gopclntab") print $(i + 3), $(i + 4) }')
  head -c $((16#${off:-0} + 16#${size:-0} / 2)) "$WORK/app.bin" >cut.bin
  run "$FIT_TOOL" cut.bin "$own"
  expect_no_crash
  expect_exit 1
  expect_contains "$RUN_ERR" "function table"
  for b in "$FIXTURES"/bad/*; do
    run "$FIT_TOOL" "$b" "$own"
    expect_no_crash
  done
  printf 'not a profile' >junk.pgo
  run "$FIT_TOOL" "$WORK/app.bin" junk.pgo
  expect_exit 1
  expect_contains "$RUN_ERR" "the profile is unusable"

  TEST "[noinline]: the compiler's own report shows the hot call no longer PGO-inlined"
  write_fitapp app
  # main.hot is too big to inline (-m says why); the profile makes its call
  # in main.main hot, and -d=pgodebug=1 reports PGO inlining it there. Only
  # the main package is compiled, against export data of a plain build.
  GOFLAGS=-mod=mod GOPROXY=off real_go list -C app -export -deps \
    -f '{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}' .
  expect_exit 0
  cp "$RUN_OUT" importcfg
  compile_main() { # PROFILE FLAGS…
    local profile=$1
    shift
    run "$REAL_GO" tool compile -p main -importcfg importcfg ${profile:+-pgoprofile="$profile"} \
      "$@" -o main.o app/main.go
    expect_exit 0
    cat "$RUN_OUT" "$RUN_ERR" >report.txt
  }
  compile_main "" -m=2
  expect_line report.txt 'cannot inline hot: function too complex'
  compile_main "$own" -d=pgodebug=1
  expect_line report.txt 'hot-budget check allows inlining for call main\.hot .* in function main\.main'
  run "$FIT_TOOL" --rewrite "$own" noinline.pgo --noinline main.hot
  expect_exit 0
  compile_main noinline.pgo -d=pgodebug=1
  expect_line report.txt 'hot-callsite-thres-from-CDF'
  expect_not_contains report.txt 'inlining for call main.hot'
  compile_main noinline.pgo -m
  expect_not_contains report.txt 'inlining call to hot'

  # ---------------------------------------------------------------- where it shows

  TEST "pgo-go verify: the fit on the line; another program's profile is stale (exit 1, JSON)"
  write_fitapp app
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo="$own" -o ../own-bin .
  expect_exit 0
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo="$FIXTURES/cpu.pprof" -o ../other-bin .
  expect_exit 0
  export PGO_GO_MIN_FIT=50%
  pgo_go verify own-bin
  expect_exit 0
  expect_line "$RUN_OUT" "^own-bin: verified \(-pgo=$own; fit [0-9]+%, own code (9[5-9]|100)%\)$"
  pgo_go verify other-bin own-bin
  expect_exit 1
  expect_line "$RUN_OUT" "^other-bin: stale: -pgo=$FIXTURES/cpu.pprof: fit [0-9]+%, no own code in the profile, below min_fit 50%; .*"
  expect_line "$RUN_OUT" "^own-bin: verified "
  pgo_go verify -json other-bin
  expect_exit 1
  python3 - "$RUN_OUT" <<'EOF2' || test_failed "the JSON object of a stale binary:" "$(cat "$RUN_OUT")"
import json, sys
o = json.load(open(sys.argv[1]))[0]
assert o["status"] == "stale", o
assert o["fit"]["own_share"] == 0 and o["fit"]["cause"] == "wrong-service", o
assert 0 <= o["fit"]["total"] < 0.5, o
EOF2
  # The profile gone from where the binary names it: the fit is unknown,
  # which fails nothing.
  cp "$own" moved.pgo
  GOFLAGS=-mod=mod GOPROXY=off real_go build -C app -pgo="$TEST_DIR/moved.pgo" -o ../moved-bin .
  rm moved.pgo
  pgo_go verify moved-bin
  expect_exit 0
  expect_stdout "moved-bin: verified (-pgo=$TEST_DIR/moved.pgo; fit unknown: the profile is not here to compare)"
  # min_fit 0: no judgement, the line as it always was.
  PGO_GO_MIN_FIT=0 pgo_go verify other-bin
  expect_exit 0
  expect_stdout "other-bin: verified (-pgo=$FIXTURES/cpu.pprof)"

  TEST "the shim: another program's profile warns naming the service; strict fails; fits are kept"
  use_shim
  write_fitapp app
  export PGO_GO_MIN_FIT=50% PGO_GO_CACHE_DIR=$TEST_DIR/cache GOFLAGS="-mod=mod -modcacherw" GOPROXY=off
  cd app
  PGO_GO_PROFILE=$FIXTURES/cpu.pprof run go build -o other-bin .
  expect_exit 0
  expect_line_count "$RUN_ERR" 1
  expect_line "$RUN_ERR" "^pgo-go: warning: .*/other-bin: profile not verified: -pgo=.*no own code in the profile, below min_fit 50%; the profile's own code is not in this binary: a profile of another service\? \(check the \[services\] mapping and PGO_GO_SERVICE\); this binary took the profile of service fitapp$"
  PGO_GO_PROFILE=$FIXTURES/cpu.pprof PGO_GO_VERIFY=strict run go build -o other-bin .
  expect_exit 1
  expect_contains "$RUN_ERR" "(PGO_GO_VERIFY=strict)"
  PGO_GO_PROFILE=$own PGO_GO_VERIFY=strict PGO_GO_VERBOSE=1 run go build -o own-bin .
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: .*/own-bin: service fitapp, profile $own \(PGO_GO_PROFILE\), verified; fit [0-9]+%, own code (9[5-9]|100)%$"
  # Each fit is kept under the binary's build ID: the no-op rebuild reads it.
  local records
  records=$(ls "$TEST_DIR/cache/fits" | wc -l)
  expect_equal "$records" 2 "fit records"
  touch -d '2000-01-01' "$TEST_DIR"/cache/fits/*
  PGO_GO_PROFILE=$own PGO_GO_VERIFY=strict run go build -o own-bin .
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_equal "$(find "$TEST_DIR/cache/fits" -type f -newer "$TEST_DIR/app/go.mod" | wc -l)" 0 "fit records written again"
  cd "$TEST_DIR"

  TEST "the shim: a no-op rebuild judges a binary by its fit record, without reading its build info"
  use_shim
  write_fitapp app
  export PGO_GO_MIN_FIT=50% PGO_GO_CACHE_DIR=$TEST_DIR/cache GOFLAGS="-mod=mod -modcacherw" GOPROXY=off
  cd app
  PGO_GO_PROFILE=$own PGO_GO_VERIFY=strict run go build -o own-bin .
  expect_exit 0
  # Break the build info's magic, not the build ID: go still takes the
  # binary for up to date (it reads only the build ID) and leaves it, and
  # only a verdict that reads the build info again can tell.
  python3 - own-bin <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.find(b"\xff Go buildinf:")
assert at >= 0
data[at + 1] = ord("X")
open(sys.argv[1], "wb").write(data)
PY
  PGO_GO_PROFILE=$own PGO_GO_VERIFY=strict PGO_GO_VERBOSE=1 run go build -o own-bin .
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: .*/own-bin: service fitapp, profile $own \(PGO_GO_PROFILE\), verified; fit [0-9]+%, own code (9[5-9]|100)%$"
  # Without its record, the same binary is read, and found broken.
  rm -f "$TEST_DIR"/cache/fits/*
  PGO_GO_PROFILE=$own PGO_GO_VERIFY=strict run go build -o own-bin .
  expect_exit 1
  expect_contains "$RUN_ERR" "own-bin: profile not verified: not a Go executable"
  cd "$TEST_DIR"

  TEST "[rename] and [noinline] in .pgo-go.ini: the profile -pgo gets is rewritten, in the cache, once"
  use_shim
  write_fitapp app
  export PGO_GO_MIN_FIT=50% PGO_GO_CACHE_DIR=$TEST_DIR/cache GOFLAGS="-mod=mod -modcacherw" GOPROXY=off
  cd app
  sed -i 's/\bhot(/hotter(/g' main.go
  # Renamed since the profile was taken: stale.
  PGO_GO_PROFILE=$own run go build -o renamed .
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: warning: .*/renamed: profile not verified: -pgo=$own: .*functions were renamed or moved since the profile was taken \(a \[rename\] entry carries their samples over\)"
  # The entry carries the samples over: the binary fits, with a profile
  # the cache holds under its content's name.
  printf '[rename]\nmain.hot = main.hotter\n' >.pgo-go.ini
  PGO_GO_PROFILE=$own PGO_GO_VERBOSE=1 run go build -o renamed .
  expect_exit 0
  expect_line "$RUN_ERR" "^pgo-go: .*/renamed: service fitapp, profile $TEST_DIR/cache/profiles/[0-9a-f]{64}\.pgo \(PGO_GO_PROFILE: $own, rewritten by \[rename\] and \[noinline\]\), verified; fit [0-9]+%, own code (9[5-9]|100)%$"
  local rewritten
  rewritten=$(pgo_setting renamed)
  expect_equal "$(sha256sum <"$rewritten" | cut -d' ' -f1).pgo" "${rewritten##*/}" "the rewritten profile's name"
  expect_equal "$(ls "$TEST_DIR/cache/profiles" | wc -l)" 1 "profiles in the cache"
  # A second build reuses it; another rule is another profile.
  PGO_GO_PROFILE=$own run go build -o renamed2 .
  expect_exit 0
  expect_empty "$RUN_ERR"
  expect_equal "$(pgo_setting renamed2)" "$rewritten" "the profile of the second build"
  printf '[rename]\nmain.hot = main.hotter\n[noinline]\nmain.hotter = memory growth (golang/go#65532)\n' >.pgo-go.ini
  PGO_GO_PROFILE=$own run go build -gcflags=-d=pgodebug=1 -o noinline .
  expect_exit 0
  expect_not_contains "$RUN_ERR" "inlining for call main.hotter"
  expect_contains "$RUN_ERR" "hot-callsite-thres-from-CDF"
  [[ $(pgo_setting noinline) != "$rewritten" ]] || test_failed "[noinline] gave the same profile"
  run go build -gcflags=-d=pgodebug=1 -pgo="$rewritten" -o plain .
  expect_contains "$RUN_ERR" "inlining for call main.hotter"
  # A bad entry is the config's error, naming the file and line.
  printf '[rename]\nmain.hot = main.hot\n' >.pgo-go.ini
  PGO_GO_PROFILE=$own run go build -o bad .
  expect_exit 1
  expect_stderr "pgo-go: $TEST_DIR/app/.pgo-go.ini:2: [rename] main.hot: rename of main.hot to itself"
  cd "$TEST_DIR"

}
