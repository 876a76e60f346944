#!/usr/bin/env bash
# RPC throughput: getblockcount and getblockheader of the tip (answered on
# the rpc thread), then one method served by each owner thread through a
# typed request (getnetworkinfo: net, getmempoolinfo: mempool,
# getmininginfo: validation), with 16 keep-alive connections (wrk, 2 client
# threads), several runs each; prints every run and the median requests/s,
# p50 and p99 latency. BENCH_METHODS="a b" limits the set by name.
#
# Usage: contrib/bench/bench_rpc.sh [BUILDDIR] [RUNS] [SECONDS]
#   BUILDDIR  where src/bitrootd and src/bitroot-cli are (default: .)
#   RUNS      runs per method (default 5); SECONDS per run (default 10)
# Environment: BENCH_CHAIN=path to a bootstrap file to import first
#   (default ../shared/chains/regtest-dev.dat when present), BENCH_PORT;
#   BENCH_SCRAPE=1 starts the node with -metricsbind and a scraper polling
#   /metrics every second (contrib/bench/scrape_loop.py) during the runs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-.}
runs=${2:-5}
secs=${3:-10}
port=${BENCH_PORT:-$((20000 + RANDOM % 20000))}
chain=${BENCH_CHAIN:-$top/../shared/chains/regtest-dev.dat}

if ! command -v wrk >/dev/null 2>&1; then
	echo "wrk not found: installing it (apt-get install wrk)" >&2
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && apt-get install -y -qq wrk >/dev/null
	else
		sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null
	fi
fi

daemon="$build/src/bitrootd"
cli="$build/src/bitroot-cli"
for b in "$daemon" "$cli"; do
	[ -x "$b" ] || { echo "missing $b (give the build directory)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/bench_rpc.XXXXXX)
pid=
scraper=
cleanup() {
	if [ -n "$scraper" ]; then
		kill "$scraper" 2>/dev/null || true
		wait "$scraper" 2>/dev/null || true
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		"$cli" -regtest -datadir="$dir" -rpcport="$port" stop >/dev/null 2>&1 || kill "$pid"
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

args=(-regtest -datadir="$dir" -rpcport="$port" -port=$((port + 1)) -listen=0
    -connect=0 -printtoconsole=0)
[ -f "$chain" ] && args+=(-loadblock="$chain")
[ "${BENCH_SCRAPE:-0}" = 1 ] && args+=(-metricsbind=$((port + 2)))
"$daemon" "${args[@]}" &
pid=$!
c() { "$cli" -regtest -datadir="$dir" -rpcport="$port" "$@"; }
c -rpcwait -rpcwaittimeout=60 getblockcount >/dev/null
if [ -f "$chain" ]; then
	want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["height"])' \
	    "${chain%.dat}.json" 2>/dev/null || echo 0)
	for _ in $(seq 1 600); do
		[ "$(c getblockcount)" -ge "$want" ] && break
		sleep 0.2
	done
fi
tip=$(c getbestblockhash)
height=$(c getblockcount)
if [ "${BENCH_SCRAPE:-0}" = 1 ]; then
	"$here/scrape_loop.py" $((port + 2)) 1 &
	scraper=$!
fi
auth=$(base64 -w0 <"$dir/regtest/.cookie")

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

bench() {
	local method=$1 params=$2 out rps p50 p99 bad
	local all_rps=() all_p50=() all_p99=()
	for i in $(seq 1 "$runs"); do
		out=$(RPC_METHOD=$method RPC_PARAMS=$params RPC_AUTH=$auth \
		    wrk -t2 -c16 -d"${secs}s" -s "$here/rpc_wrk.lua" \
		    "http://127.0.0.1:$port/" | grep '^RESULT')
		rps=$(sed 's/.* rps=\([0-9.]*\).*/\1/' <<<"$out")
		p50=$(sed 's/.* p50_us=\([0-9]*\).*/\1/' <<<"$out")
		p99=$(sed 's/.* p99_us=\([0-9]*\).*/\1/' <<<"$out")
		bad=$(sed 's/.* non2xx=\([0-9]*\).*/\1/' <<<"$out")
		printf '%-15s run %d: %10.0f req/s  p50 %6d us  p99 %6d us  non-2xx %s\n' \
		    "$method" "$i" "$rps" "$p50" "$p99" "$bad"
		all_rps+=("$rps"); all_p50+=("$p50"); all_p99+=("$p99")
	done
	printf '%-15s median: %10.0f req/s  p50 %6.0f us  p99 %6.0f us\n' "$method" \
	    "$(printf '%s\n' "${all_rps[@]}" | median)" \
	    "$(printf '%s\n' "${all_p50[@]}" | median)" \
	    "$(printf '%s\n' "${all_p99[@]}" | median)"
}

echo "bitrootd regtest, tip height $height; $(nproc) cores; $runs runs of ${secs}s; 16 connections;" \
    "scraper ${BENCH_SCRAPE:-0}"
want_method() { [ -z "${BENCH_METHODS:-}" ] || [[ " $BENCH_METHODS " == *" $1 "* ]]; }
if want_method getblockcount; then bench getblockcount '[]'; fi
if want_method getblockheader; then bench getblockheader "[\"$tip\"]"; fi
for m in getnetworkinfo getmempoolinfo getmininginfo; do
	if want_method "$m"; then bench "$m" '[]'; fi
done
