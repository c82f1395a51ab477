#!/usr/bin/env bash
# A Pyroscope server that is down, and what it costs a build (issue 14,
# item 16): `go build ./...` of a module with 30 commands, each mapped to a
# service of its own in .pgo-go.ini, against plain go with the same warm
# build cache:
#   refused   PGO_GO_URL on a port nothing listens on (default retries)
#   hanging   a server that accepts and never answers, PGO_GO_TIMEOUT=1s
# each twice: "first" on an empty profile cache (the first build of a
# burst: the server is asked once, by the first package), and "next" on the
# cache that build left (a build within server_backoff: not asked at all).
# The goal: within 2 s of plain go plus one timeout.
#
#   bench/server-down.sh [PGO_GO_BINARY]     (RUNS: hyperfine's runs, default 5)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- the module

mkdir -p "$work/multi"
cd "$work/multi"
printf 'module example.com/multi\n\ngo 1.26\n' >go.mod
mkdir lib
printf 'package lib\n\nfunc Hello() string { return "hi" }\n' >lib/lib.go
printf '[services]\n' >.pgo-go.ini
for i in $(seq -w 1 30); do
  mkdir -p "cmd/c$i"
  printf 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/multi/lib"\n)\n\nfunc main() { fmt.Println(lib.Hello(), %d) }\n' \
    "$((10#$i))" >"cmd/c$i/main.go"
  printf './cmd/c%s = svc%s\n' "$i" "$i" >>.pgo-go.ini
done
"$real" build ./... # warm the build cache

# ---------------------------------------------------------------- the servers

# A port nothing listens on: bound, then released.
refused=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# A server that accepts every connection and never answers.
python3 - "$work/hang.port" <<'PY' &
import socket, sys, threading, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(128)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # kept open, never read from, never answered
PY
bench_pid=$!
for _ in $(seq 100); do [[ -s $work/hang.port ]] && break; sleep 0.05; done
hanging=$(cat "$work/hang.port")

# ---------------------------------------------------------------- the runs

shim="env PATH=$work/shim:$PATH PGO_GO_CACHE_DIR=$work/cache"
hyperfine -N --warmup 1 --runs "${RUNS:-5}" --export-json "$work/first.json" \
  -n "plain go" "$real build ./..." \
  --prepare "rm -rf $work/cache" \
  -n "refused, first" "$shim PGO_GO_URL=http://127.0.0.1:$refused go build ./..." \
  -n "hanging 1s, first" "$shim PGO_GO_URL=http://127.0.0.1:$hanging PGO_GO_TIMEOUT=1s go build ./..."
# "next": the cache of one failed build, kept (the negative entry lasts a minute).
hyperfine -N --runs "${RUNS:-5}" --export-json "$work/next.json" \
  --setup "rm -rf $work/cache; $shim PGO_GO_URL=http://127.0.0.1:$refused go build ./... 2>/dev/null" \
  -n "refused, next" "$shim PGO_GO_URL=http://127.0.0.1:$refused go build ./..."
hyperfine -N --runs "${RUNS:-5}" --export-json "$work/next2.json" \
  --setup "rm -rf $work/cache; $shim PGO_GO_URL=http://127.0.0.1:$hanging PGO_GO_TIMEOUT=1s go build ./... 2>/dev/null" \
  -n "hanging 1s, next" "$shim PGO_GO_URL=http://127.0.0.1:$hanging PGO_GO_TIMEOUT=1s go build ./..."

# What one build prints: one warning.
rm -rf "$work/cache"
echo "== stderr of one build, refused:"
env PATH="$work/shim:$PATH" PGO_GO_CACHE_DIR="$work/cache" PGO_GO_URL="http://127.0.0.1:$refused" go build ./... || true

python3 - "$work"/first.json "$work"/next.json "$work"/next2.json <<'PY'
import json, sys
r = {}
for f in sys.argv[1:]:
    for x in json.load(open(f))["results"]:
        r[x["command"]] = x
g = r["plain go"]["mean"]
print(f"\n30 commands, go build ./...: plain go {g:.2f} s")
for name in ["refused, first", "refused, next", "hanging 1s, first", "hanging 1s, next"]:
    m = r[name]["mean"]
    print(f"  {name:18s} {m:6.2f} s ± {r[name]['stddev']:.2f}  ratio {m/g:5.2f}  added {m-g:+.2f} s")
PY
