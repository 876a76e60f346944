#!/bin/sh
# Peer benchmark: 125, 1,000 and 10,000 simultaneous handshaken inbound
# peers held by one bitrootd (regtest, fresh datadir, -maxconnections raised),
# measured by contrib/bench/bench_peers: resident memory per peer, ping
# round trips p50/p99 across all peers while held, and RPC latency meanwhile.
#
# usage: contrib/bench/bench_peers.sh [BUILDDIR] [RUNS] [PEER COUNTS...]
#   BUILDDIR   where src/bitrootd and contrib/bench/bench_peers are (default .)
#   RUNS       runs per peer count; the median run (by p99) is reported (default 3)
#   COUNTS     default: 125 1000 10000
#
# Each process (the node, the client) needs an open-file limit above the
# largest count; the script raises the soft limit to the hard one and stops
# with a clear message if that is not enough.
set -e

builddir=${1:-.}
runs=${2:-3}
[ $# -ge 2 ] && shift 2 || shift $#
counts=${*:-125 1000 10000}
daemon=$builddir/src/bitrootd
client=$builddir/contrib/bench/bench_peers

[ -x "$daemon" ] || { echo "no $daemon: build first" >&2; exit 1; }
[ -x "$client" ] || { echo "no $client: make contrib/bench/bench_peers" >&2; exit 1; }
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
limit=$(ulimit -n)

rpc() {
	# rpc DATADIR PORT METHOD: one call with the cookie, result printed.
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

results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-8s %-4s %-11s %-12s %-10s %-10s %-10s %-14s\n' peers run handshake_s \
    rss_kb/peer ping_p50 ping_p99 ping_max rpc_p99_ms >&2
for n in $counts; do
	if [ $((n + 300)) -gt "$limit" ]; then
		echo "open-file limit $limit is too low for $n peers (need $((n + 300)))" >&2
		exit 1
	fi
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		dir=$(mktemp -d /tmp/bench_peers.XXXXXX)
		try=0
		while :; do
			# A random port pair; another one if something holds it.
			try=$((try + 1))
			port=$((20000 + ($$ * 13 + i * 7 + n + try * 1031) % 20000))
			rport=$((port + 1))
			"$daemon" -regtest -datadir="$dir" -bind=127.0.0.1 \
			    -port="$port" -rpcport="$rport" \
			    -maxconnections=$((n + 64)) -printtoconsole=0 \
			    -listenonion=0 -dnsseed=0 -connect=0 2>/dev/null &
			pid=$!
			k=0
			while ! rpc "$dir" "$rport" getblockcount >/dev/null 2>&1; do
				k=$((k + 1))
				kill -0 "$pid" 2>/dev/null || break
				[ "$k" -gt 300 ] && break
				sleep 0.1
			done
			kill -0 "$pid" 2>/dev/null && [ "$k" -le 300 ] && break
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			[ "$try" -ge 5 ] && { echo "bitrootd did not start" >&2; exit 1; }
		done
		out=$("$client" -port "$port" -rpcport "$rport" \
		    -cookie "$dir/regtest/.cookie" -pid "$pid" -n "$n") || true
		rpc "$dir" "$rport" stop >/dev/null 2>&1 || kill "$pid"
		wait "$pid" || true
		rm -rf "$dir"
		echo "$out" >>"$results"
		echo "$out" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print("%-8d %-4s %-11.2f %-12.1f %-10.3f %-10.3f %-10.3f %-14.3f" % (r["peers"], sys.argv[1],
    r["handshake_seconds"], r["rss_kb_per_peer"], r["ping_p50_ms"], r["ping_p99_ms"],
    r["ping_max_ms"], r["rpc_getconnectioncount_p99_ms"]))' "$i" >&2
	done
done
# The median run per count, by ping p99.
python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("median of runs (by ping p99):")
print("%8s %10s %10s %10s %10s %14s %14s" % ("peers", "KB/peer", "p50 ms", "p99 ms", "max ms",
                                            "rpc p50 ms", "rpc p99 ms"))
for n in sorted({r["peers"] for r in rows}):
    rs = sorted((r for r in rows if r["peers"] == n), key=lambda r: r["ping_p99_ms"])
    m = rs[len(rs) // 2]
    print("%8d %10.1f %10.3f %10.3f %10.3f %14.3f %14.3f" % (n, m["rss_kb_per_peer"], m["ping_p50_ms"],
          m["ping_p99_ms"], m["ping_max_ms"], m["rpc_getconnectioncount_p50_ms"],
          m["rpc_getconnectioncount_p99_ms"]))
EOF
