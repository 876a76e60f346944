#!/bin/sh
# P2P sync benchmark: one bitrootd syncs ../shared/chains/regtest-dev.dat
# over loopback from 1, 2 and 4 bitrootd sources that already have it.
#
# usage: contrib/bench/bench_sync.sh [BUILDDIR] [RUNS] [SOURCE COUNTS...]
#   BUILDDIR  where src/bitrootd is (default .)
#   RUNS      runs per source count; the median is reported (default 3)
#   COUNTS    default: 1 2 4
#
# Each run starts a fresh syncing node with -connect to every source and
# -stopatheight at the chain's height, and measures (microsecond debug.log
# timestamps) the time from its first handshake to the last block, and
# from process start to the last block. Sources are copies of one datadir
# that imported the chain once with -loadblock.
set -e

builddir=${1:-.}
runs=${2:-3}
[ $# -ge 2 ] && shift 2 || shift $#
counts=${*:-1 2 4}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
file=${BENCH_FILE:-$srcdir/../shared/chains/regtest-dev.dat}
json=${file%.dat}.json
daemon=$builddir/src/bitrootd

[ -x "$daemon" ] || { echo "no $daemon: build first" >&2; exit 1; }
[ -r "$file" ] || { echo "no $file" >&2; exit 1; }
height=$(sed -n 's/.*"height": *\([0-9]*\).*/\1/p' "$json")
best=$(sed -n 's/.*"bestblockhash": *"\([0-9a-f]*\)".*/\1/p' "$json")

work=$(mktemp -d /tmp/bench_sync.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

rpc() {
	python3 - "$1" "$2" "$3" <<'EOF'
import base64, http.client, json, sys
d, port, method = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cookie = open(d + "/regtest/.cookie").read().strip()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/", json.dumps({"id": 1, "method": method, "params": []}),
          {"Authorization": "Basic " + base64.b64encode(cookie.encode()).decode()})
print(json.loads(c.getresponse().read())["result"])
EOF
}

base=$((20000 + ($$ * 17) % 18000))

# wait_rpc DIR PORT PID: until the node answers (or dies).
wait_rpc() {
	k=0
	until rpc "$1" "$2" getblockcount >/dev/null 2>&1; do
		kill -0 "$3" 2>/dev/null || { echo "bitrootd in $1 died" >&2; exit 1; }
		k=$((k + 1))
		[ "$k" -gt 600 ] && { echo "bitrootd in $1 did not start" >&2; exit 1; }
		sleep 0.1
	done
}

echo "importing $file once for the sources..." >&2
mkdir "$work/template"
"$daemon" -regtest -datadir="$work/template" -loadblock="$file" -listen=0 \
    -connect=0 -rpcport=$((base + 99)) -printtoconsole=0 2>/dev/null &
tpid=$!
wait_rpc "$work/template" $((base + 99)) "$tpid"
until [ "$(rpc "$work/template" $((base + 99)) getblockcount)" = "$height" ]; do
	sleep 0.2
done
rpc "$work/template" $((base + 99)) stop >/dev/null
wait "$tpid" || true

maxsrc=0
for c in $counts; do [ "$c" -gt "$maxsrc" ] && maxsrc=$c; done
connects=""
i=0
while [ "$i" -lt "$maxsrc" ]; do
	i=$((i + 1))
	d=$work/src$i
	mkdir "$d"
	cp -a "$work/template/regtest" "$d/regtest"
	rm -f "$d/regtest/.cookie" "$d/regtest/.lock" "$d/regtest/bitrootd.pid"
	"$daemon" -regtest -datadir="$d" -bind=127.0.0.1 -port=$((base + 2 * i)) \
	    -rpcport=$((base + 2 * i + 1)) -connect=0 -printtoconsole=0 \
	    2>/dev/null &
	pids="$pids $!"
	wait_rpc "$d" $((base + 2 * i + 1)) "$!"
done

results=$(mktemp)
for c in $counts; do
	r=0
	while [ "$r" -lt "$runs" ]; do
		r=$((r + 1))
		d=$work/sync-$c-$r
		mkdir "$d"
		args=""
		i=0
		while [ "$i" -lt "$c" ]; do
			i=$((i + 1))
			args="$args -connect=127.0.0.1:$((base + 2 * i))"
		done
		start=$(date +%s.%N)
		# shellcheck disable=SC2086
		"$daemon" -regtest -datadir="$d" -listen=0 $args \
		    -stopatheight="$height" -rpcport=$((base + 90)) \
		    -printtoconsole=0 -logtimemicros >/dev/null 2>&1 || true
		log=$d/regtest/debug.log
		first=$(grep -m1 'peer connected' "$log" | cut -d' ' -f1)
		last=$(grep -m1 'Reached -stopatheight' "$log" | cut -d' ' -f1)
		if [ -z "$last" ]; then
			echo "run $r with $c source(s): did not reach height $height" >&2
			exit 1
		fi
		t_first=$(date -d "$first" +%s.%N)
		t_last=$(date -d "$last" +%s.%N)
		sync=$(echo "$t_last - $t_first" | bc -l)
		total=$(echo "$t_last - $start" | bc -l)
		printf '%d source(s), run %d: %.3f s from first handshake, %.3f s from start, %.0f blocks/s\n' \
		    "$c" "$r" "$sync" "$total" "$(echo "$height / $sync" | bc -l)" >&2
		echo "$c $sync $total" >>"$results"
		rm -rf "$d"
	done
done
echo "median of $runs run(s), $height blocks to $best:"
for c in $counts; do
	grep "^$c " "$results" | sort -k2 -n | awk -v n="$runs" -v h="$height" '
	    { s[NR] = $2; t[NR] = $3 }
	    END {
		m = int((n + 1) / 2)
		printf "%d source(s): %.3f s (%.0f blocks/s) from first handshake, %.3f s from process start\n",
		    $1, s[m], h / s[m], t[m]
	    }'
done
rm -f "$results"
