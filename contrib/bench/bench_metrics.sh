#!/usr/bin/env bash
# The metrics' cost, in one run: import time (bench_import.sh) and RPC
# throughput (bench_rpc.sh: getblockcount on the rpc thread's fast path,
# getmempoolinfo through the mempool thread) without and with a scraper
# polling /metrics every second (BENCH_SCRAPE=1), and, given BASEDIR, for a
# build without the metrics. The configurations alternate within each round
# so drift on a shared machine hits them alike; prints every figure, the
# medians and the load average before each round.
#
# usage: contrib/bench/bench_metrics.sh BUILDDIR [ROUNDS] [BASEDIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench_metrics.sh BUILDDIR [ROUNDS] [BASEDIR]}
rounds=${2:-5}
base=${3:-}
out=$(mktemp -d /tmp/bench_metrics.XXXXXX)
trap 'rm -rf "$out"' EXIT

configs=(off on)
[ -n "$base" ] && configs=(base "${configs[@]}")

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

for r in $(seq 1 "$rounds"); do
	echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	for cfg in "${configs[@]}"; do
		dir=$build scrape=0
		[ "$cfg" = base ] && dir=$base
		[ "$cfg" = on ] && scrape=1
		BENCH_SCRAPE=$scrape "$here/bench_import.sh" "$dir" 1 >"$out/imp"
		s=$(sed -n 's/^median of 1: \([0-9.]*\) s.*/\1/p' "$out/imp")
		cpu=$(sed -n 's/^median CPU \([0-9.]*\) s.*/\1/p' "$out/imp")
		echo "$s" >>"$out/import.$cfg"
		echo "$cpu" >>"$out/cpu.$cfg"
		BENCH_SCRAPE=$scrape BENCH_METHODS="getblockcount getmempoolinfo" \
		    "$here/bench_rpc.sh" "$dir" 1 6 >"$out/rpc" 2>&1
		for m in getblockcount getmempoolinfo; do
			sed -n "s/^$m *median: *\([0-9]*\) req.*/\1/p" "$out/rpc" \
			    >>"$out/$m.$cfg"
		done
		printf '  %-4s import %s s (CPU %s s)  getblockcount %s/s  getmempoolinfo %s/s\n' \
		    "$cfg" "$s" "$cpu" "$(tail -n1 "$out/getblockcount.$cfg")" \
		    "$(tail -n1 "$out/getmempoolinfo.$cfg")"
	done
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians of $rounds rounds:"
for cfg in "${configs[@]}"; do
	printf '  %-4s import %s s (CPU %s s)  getblockcount %s/s  getmempoolinfo %s/s\n' "$cfg" \
	    "$(median <"$out/import.$cfg")" "$(median <"$out/cpu.$cfg")" \
	    "$(median <"$out/getblockcount.$cfg")" \
	    "$(median <"$out/getmempoolinfo.$cfg")"
done
