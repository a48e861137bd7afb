#!/usr/bin/env bash
# Load figures of `xietong serve` beside Oxigraph's own server on one store:
# both read it read-only, both get the same competency queries of queries/
# (form POSTs, TSV answers) from wrk, one server at a time, in turns.
#   bench/load/run.sh /tmp/bench22/n1000/store [seconds] [rounds]
# Needs: a release build (cargo build --release), wrk, and `oxigraph`
# (pip install oxigraph). Prints one line per run.
set -euo pipefail
store=${1:?usage: run.sh STORE [SECONDS] [ROUNDS]}
secs=${2:-30}
rounds=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
xietong=${XIETONG:-$repo/target/release/xietong}
threads=${THREADS:-2}
conns=${CONNECTIONS:-4}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# xietong's predeclared prefixes, as PREFIX lines for Oxigraph.
"$xietong" --store "$store" query -e 'CONSTRUCT { xt:a rdf:type xt:b } WHERE {}' --format turtle \
  | sed -n 's/^@prefix \(.*\) \.$/PREFIX \1/p' > "$work/prefixes.rq"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 600); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "nothing listens on $1" >&2; exit 1; }

xport=$(free_port)
# No row limit, as Oxigraph has none: both send whole answers.
"$xietong" --store "$store" serve --bind "127.0.0.1:$xport" --max-rows 100000000 2>"$work/xietong.log" &
pids+=($!)
oport=$(free_port)
oxigraph serve-read-only --location "$store" --union-default-graph --bind "127.0.0.1:$oport" --timeout-s 30 2>"$work/oxigraph.log" &
pids+=($!)
wait_port "$xport"
wait_port "$oport"
xurl="http://127.0.0.1:$xport/sparql"
ourl="http://127.0.0.1:$oport/query"

# The same rows from both, for every query (an answer's order is not the
# protocol's), and the time of one request alone, the second of two.
echo "# query: rows, seconds alone (xietong, oxigraph)"
for q in "$repo"/queries/*.rq; do
  cat "$work/prefixes.rq" "$q" > "$work/q.rq"
  for s in x o; do
    url=$([ $s = x ] && echo "$xurl" || echo "$ourl")
    ask() { curl -sf -o "$work/$s.raw" -w '%{time_total}' -H 'Accept: text/tab-separated-values' --data-urlencode "query@$work/q.rq" "$url"; }
    ask > /dev/null
    eval "t_$s=\$(ask)"
    sort "$work/$s.raw" > "$work/$s.tsv"
  done
  if ! cmp -s "$work/x.tsv" "$work/o.tsv"; then
    echo "$(basename "$q"): the servers' answers differ" >&2
    diff "$work/x.tsv" "$work/o.tsv" | head >&2
    exit 1
  fi
  echo "#   $(basename "$q" .rq): $(($(wc -l < "$work/x.tsv") - 1)) rows, $t_x s, $t_o s"
done
echo "# $(ls "$repo"/queries/*.rq | wc -l) queries give the same rows on both servers; wrk -t$threads -c$conns -d${secs}s --timeout ${secs}s, $(date -u +%FT%TZ)"

# CPU seconds a process has used (all its threads, the ended ones included):
# on a shared machine, CPU time per request is steadier than requests/s.
cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
load() {
  local before
  before=$(cpu "$3")
  wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout "${secs}s" --latency -s "$here/queries.lua" "$2" -- "$work/prefixes.rq" "$repo"/queries/*.rq > "$work/wrk.txt"
  awk -v who="$1" -v cpu="$(awk -v a="$before" -v b="$(cpu "$3")" 'BEGIN { print b - a }')" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /requests in/ { n = $1 }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { sock = $0 }
    END { printf "%-9s %8s req/s  p50 %8s  p99 %8s  requests %7s  non-2xx %s  server CPU %6.1f s, %5.1f ms/request%s\n", who, rps, p50, p99, n, (bad == "" ? 0 : bad), cpu, 1000 * cpu / n, (sock == "" ? "" : "  " sock) }
  ' "$work/wrk.txt"
}
for _ in $(seq "$rounds"); do
  load xietong "$xurl" "${pids[0]}"
  load oxigraph "$ourl" "${pids[1]}"
done
