#!/usr/bin/env bash
# The measurements behind the default min_fit (issue 11): the own-code fit
# of profiles of the example service (examples/rideshare) against the
# service after typical edits, and of other programs' profiles against it.
#
# The service is built, run under its load generator and profiled twice
# (net/http/pprof, PROFILE_SECONDS each); each edit below is applied to a
# fresh copy of the source and built; every (binary, profile) pair is
# fitted with tests/tools/fit_tool, on the reduced canonical profile a -pgo
# build gets. Prints one table row per pair.
#
#   bench/fit-edits.sh [FIT_TOOL]
#
# PROFILE_SECONDS (default 20) sets the length of each profile.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
fit=$(realpath "${1:-$("$root/bench/fit_tool.sh" | tail -1)}")
secs=${PROFILE_SECONDS:-20}
out=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$out"
}
trap cleanup EXIT

# edit NAME: a copy of the service with edit NAME applied (python below).
edit() {
  rm -rf "$out/src-$1"
  cp -R "$root/examples/rideshare" "$out/src-$1"
  python3 - "$out/src-$1" "$1" <<'PY'
import re, sys
src, name = sys.argv[1], sys.argv[2]

def patch(path, old, new):
    p = f"{src}/{path}"
    text = open(p).read()
    assert old in text, (name, path, old)
    open(p, "w").write(text.replace(old, new, 1))

DISPATCH = "internal/dispatch/dispatch.go"
# Three lines of real code near the top of the hottest own function: every
# call below them moves down three lines.
add_lines = ("\t\td := &s.f.drivers[id]\n",
             "\t\td := &s.f.drivers[id]\n\t\tif d.ID == 0 && id != 0 {\n\t\t\tcontinue\n\t\t}\n")
# A comment block above the planner's hot loop (no code, only lines).
comment = ("\tprev := from\n", "\t// Every block is priced at the speed in its\n"
           "\t// middle: traffic changes slowly along a block,\n\t// and a block is short.\n"
           "\tprev := from\n")
if name == "base":
    pass
elif name == "add-lines":
    patch(DISPATCH, *add_lines)
elif name == "comment-lines":
    patch("internal/routing/routing.go", *comment)
elif name == "rename":
    # scan.cell becomes scan.visitCell, callers and all.
    p = f"{src}/{DISPATCH}"
    text = re.sub(r"\bcell\(", "visitCell(", open(p).read())
    open(p, "w").write(text)
elif name == "refactor":
    # The candidate's construction (from "c := Candidate{" to the Score
    # line) moves out of scan.cell into a method of its own.
    p = f"{src}/{DISPATCH}"
    text = open(p).read()
    a = text.index("\t\tc := Candidate{")
    b = text.index("\n", text.index("c.Score = s.m.Score(s.q, c)", a)) + 1
    body = "".join(line[1:] + "\n" for line in text[a:b].splitlines())
    text = text[:a] + "\t\tc := s.candidate(d, meters)\n" + text[b:]
    method = ("// candidate is the ranked candidate driver d makes, meters away.\n"
              "func (s *scan) candidate(d *Driver, meters float64) Candidate {\n"
              + body + "\treturn c\n}\n\n")
    at = text.index("// offer inserts c")
    open(p, "w").write(text[:at] + method + text[at:])
elif name == "new-file":
    open(f"{src}/internal/pricing/tips.go", "w").write(
        "package pricing\n\n// Tip is a rider's tip on a fare, rounded to cents.\n"
        "func Tip(fare, percent float64) float64 {\n\treturn float64(int(fare*percent+0.5)) / 100\n}\n")
elif name == "header":
    # A longer package comment: every function of the file moves, none changes.
    patch(DISPATCH, "package dispatch", "// The index is rebuilt from scratch on restart.\n\npackage dispatch")
elif name == "week":
    patch(DISPATCH, *add_lines)
    patch("internal/routing/routing.go", *comment)
    patch(DISPATCH, "package dispatch", "// The index is rebuilt from scratch on restart.\n\npackage dispatch")
else:
    sys.exit(f"no edit {name}")
PY
  go build -C "$out/src-$1" -pgo=off -o "$out/rideshare-$1" ./cmd/rideshare
}

profile_service() { # NAME PORT
  "$out/rideshare-base" -addr "127.0.0.1:$2" >"$out/rs-$1.log" 2>&1 &
  pids+=($!)
  go build -C "$out/src-base" -o "$out/loadgen" ./cmd/loadgen
  "$out/loadgen" -target "http://127.0.0.1:$2" -duration "$((secs + 8))s" >"$out/lg-$1.log" 2>&1 &
  pids+=($!)
  sleep 3
  curl -fsS -o "$out/$1.pprof" "http://127.0.0.1:$2/debug/pprof/profile?seconds=$secs"
  wait "${pids[-1]}"
  kill "${pids[-2]}"
  "$fit" --rewrite "$out/$1.pprof" "$out/$1.pgo"
}

edits=(base add-lines comment-lines rename refactor new-file header week)
for e in "${edits[@]}"; do edit "$e"; done
profile_service p1 18181
profile_service p2 18182
# The service's own benchmark (go test -bench) as its profile.
go test -C "$out/src-base" -run '^$' -bench BenchmarkApp -benchtime 5s \
  -cpuprofile "$out/bench.pprof" -o "$out/api.test" ./internal/api >/dev/null
"$fit" --rewrite "$out/bench.pprof" "$out/bench.pgo"
# Other programs: the fixture app's go test profile (another module), and
# the profile the Go team builds the compiler with (standard library only).
others=()
if [[ -f $root/build-test/fixtures/cpu.pprof ]]; then
  others+=("fixture app (go test):$root/build-test/fixtures/cpu.pprof")
fi
others+=("cmd/compile default.pgo:$(go env GOROOT)/src/cmd/compile/default.pgo")

row() { # BINARY PROFILE LABEL
  "$fit" "$1" "$2" >"$out/row.json"
  python3 - "$out/row.json" "$3" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def pct(k):
    return "-" if r[k] is None else f"{100 * r[k]:5.1f}%"
print(f"| {sys.argv[2]:<36} | {pct('total')} | {pct('own')} | {pct('own_share')} | {r['cause']} |")
PY
}
echo "| binary / profile | total | own | own share | cause |"
echo "|---|---|---|---|---|"
row "$out/rideshare-base" "$out/p2.pgo" "base / another profile of it"
for e in "${edits[@]}"; do row "$out/rideshare-$e" "$out/p1.pgo" "$e / profile of base"; done
row "$out/rideshare-base" "$out/bench.pgo" "base / its benchmark's profile"
for o in "${others[@]}"; do row "$out/rideshare-base" "${o#*:}" "base / ${o%%:*}"; done
