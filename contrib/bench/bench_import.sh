#!/bin/sh
# Import benchmark: bitrootd -loadblock of ../shared/chains/regtest-dev.dat,
# measured as Core's figure is (wall time from process start to the last
# block connected), RUNS times (default 3), in fresh datadirs.
#
# usage: contrib/bench/bench_import.sh [BUILDDIR] [RUNS] [extra bitrootd args]
#
# BENCH_SCRAPE=1 adds -metricsbind and a scraper polling /metrics every
# second (contrib/bench/scrape_loop.py) for the whole run.
#
# Prints per run and the median: seconds (process start to the block at
# -stopatheight, from debug.log with microsecond timestamps), total process
# seconds (start to exit, shutdown included), the process's CPU seconds
# (user + system: steadier than wall time on a loaded machine), blocks/s,
# tx/s, inputs/s, peak RSS and the store's size on disk.
set -e

builddir=${1:-.}
runs=${2:-3}
[ $# -ge 2 ] && shift 2 || shift $#
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
file=${BENCH_FILE:-$srcdir/../shared/chains/regtest-dev.dat}
json=${file%.dat}.json
daemon=$builddir/src/bitrootd
counter=$builddir/contrib/bench/bench_import

[ -x "$daemon" ] || { echo "no $daemon: build first" >&2; exit 1; }
[ -r "$file" ] || { echo "no $file" >&2; exit 1; }
height=$(sed -n 's/.*"height": *\([0-9]*\).*/\1/p' "$json")
core=$(sed -n 's/.*"core_import_seconds": *\([0-9.]*\).*/\1/p' "$json")
if [ -x "$counter" ]; then
	eval "$("$counter" --count "$file")"
else
	txs=$(sed -n 's/.*"txcount": *\([0-9]*\).*/\1/p' "$json")
	inputs=0
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	dir=$(mktemp -d /tmp/bench_import.XXXXXX)
	port=$((20000 + ($$ + i * 7) % 20000))
	scrape= scraper=
	if [ "${BENCH_SCRAPE:-0}" = 1 ]; then
		scrape=-metricsbind=$((port + 1))
		"$srcdir/contrib/bench/scrape_loop.py" $((port + 1)) 1 \
		    >"$dir/scraper" 2>&1 &
		scraper=$!
	fi
	start=$(date +%s.%N)
	/usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$daemon" -regtest \
	    -datadir="$dir" -loadblock="$file" -stopatheight="$height" \
	    -listen=0 -connect=0 -rpcport="$port" -printtoconsole=0 \
	    -logtimemicros $scrape "$@" >/dev/null 2>&1 || true
	if [ -n "$scraper" ]; then
		kill "$scraper" 2>/dev/null || true
		wait "$scraper" 2>/dev/null || true
		cat "$dir/scraper"
	fi
	log=$dir/regtest/debug.log
	# Process start: taken just before exec; last block: the stop line.
	last=$(grep -m1 'Reached -stopatheight' "$log" | cut -d' ' -f1)
	lastsec=$(date -d "$last" +%s.%N 2>/dev/null || echo 0)
	secs=$(echo "$lastsec - $start" | bc -l)
	total=$(cut -d' ' -f1 "$dir/time")
	rss=$(cut -d' ' -f2 "$dir/time")
	cpu=$(awk '{printf "%.2f", $3 + $4}' "$dir/time")
	size=$(du -sb "$dir/regtest/chainstate" | cut -f1)
	tip=$(grep -c 'Reached -stopatheight' "$log" || true)
	printf 'run %d: %.3f s to block %d (process %.2f s, CPU %.2f s), peak RSS %d KB, store %d bytes%s\n' \
	    "$i" "$secs" "$height" "$total" "$cpu" "$rss" "$size" \
	    "$( [ "$tip" -ge 1 ] || echo ' (did not reach the height!)')"
	echo "$secs $total $rss $size $cpu" >>"$results"
	rm -rf "$dir"
done

sort -n "$results" | awk -v n="$runs" -v h="$height" -v t="$txs" \
    -v ni="$inputs" -v core="$core" '
	{ s[NR] = $1; tot[NR] = $2; rss[NR] = $3; sz[NR] = $4 }
	END {
		m = int((n + 1) / 2)
		printf "median of %d: %.3f s (process %.2f s)\n", n, s[m], tot[m]
		printf "blocks/s %.0f  tx/s %.0f  inputs/s %.0f\n", h / s[m],
		    t / s[m], ni / s[m]
		printf "peak RSS %d KB  store %d bytes\n", rss[m], sz[m]
		if (core != "")
			printf "Bitcoin Core 30 on the reference machine: %s s\n", core
	}'
cut -d' ' -f5 "$results" | sort -n | awk -v n="$runs" '
	{ c[NR] = $1 } END { printf "median CPU %.2f s\n", c[int((n + 1) / 2)] }'
