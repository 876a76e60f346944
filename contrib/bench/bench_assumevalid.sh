#!/bin/sh
# assumevalid benchmark: what -assumevalid=<tip> saves against -assumevalid=0.
#
# The chain: gen_utxo_chain --signed (every input a P2WPKH spend with a real
# ECDSA signature) with small blocks (--block-weight), so it is several
# times longer than two weeks of regtest blocks (2,016): only blocks more
# than 2,016 below the best header may skip their scripts.
#
# Two ways in, RUNS times each (default 3) per -assumevalid value, fresh
# processes, medians printed:
# - import: -loadblock into an empty datadir (as bench_import.sh). Headers
#   come with their blocks, so the best header is never two weeks ahead and
#   nothing may be skipped: both values should take the same time.
# - reindex: -reindex-chainstate of a datadir that already holds every
#   block and header (imported once beforehand): the best header is the
#   tip from the start, as after a header sync from peers.
# Each timing is process start to the "Reached -stopatheight" line of
# debug.log; CPU is the process's user + system seconds. A last reindex run
# with -debug=validation counts the blocks whose scripts were skipped.
#
# usage: contrib/bench/bench_assumevalid.sh [BUILDDIR] [RUNS]
# env: BENCH_CACHE (where the chain is kept, default /tmp/bench_assumevalid),
#      BENCH_COINS (default 200000), BENCH_WEIGHT (default 20000)
set -e

builddir=${1:-.}
runs=${2:-3}
daemon=$builddir/src/bitrootd
gen=$builddir/contrib/bench/gen_utxo_chain
cache=${BENCH_CACHE:-/tmp/bench_assumevalid}
coins=${BENCH_COINS:-200000}
weight=${BENCH_WEIGHT:-20000}

[ -x "$daemon" ] && [ -x "$gen" ] || { echo "build first ($daemon, $gen)" >&2; exit 1; }
mkdir -p "$cache"
file=$cache/signed-$coins-$weight.dat
info=$cache/signed-$coins-$weight.txt
if [ ! -s "$file" ] || [ ! -s "$info" ]; then
	echo "generating $file" >&2
	"$gen" --coins "$coins" --signed --block-weight "$weight" \
	    --out "$file.tmp" >"$info.tmp"
	mv "$file.tmp" "$file"
	mv "$info.tmp" "$info"
fi
height=$(sed -n 's/^height=//p' "$info")
tip=$(sed -n 's/^tip=//p' "$info")
inputs=$(sed -n 's/^inputs=//p' "$info")
echo "chain: $height blocks, $inputs signed inputs, tip $tip" >&2

port=$((20000 + $$ % 20000))
results=$(mktemp)
base=$(mktemp -d /tmp/bench_av_base.XXXXXX)
trap 'rm -rf "$results" "$base"' EXIT

# Runs bitrootd once with the given arguments in datadir $1; appends
# "mode av seconds cpu" to $results. $2: mode label, $3: -assumevalid value.
run() {
	dir=$1 mode=$2 av=$3
	shift 3
	start=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$dir/time" "$daemon" -regtest \
	    -datadir="$dir" -stopatheight="$height" -assumevalid="$av" \
	    -listen=0 -connect=0 -rpcport="$port" -printtoconsole=0 \
	    -logtimemicros "$@" >/dev/null 2>&1 || true
	log=$dir/regtest/debug.log
	last=$(grep 'Reached -stopatheight' "$log" | tail -1 | cut -d' ' -f1)
	[ -n "$last" ] || { echo "$mode $av: did not reach $height" >&2; exit 1; }
	secs=$(echo "$(date -d "$last" +%s.%N) - $start" | bc -l)
	cpu=$(awk '{printf "%.2f", $1 + $2}' "$dir/time")
	[ "$av" = 0 ] && label=0 || label=tip
	printf '%s -assumevalid=%s: %.2f s, CPU %s s\n' "$mode" "$label" "$secs" "$cpu" >&2
	echo "$mode $label $secs $cpu" >>"$results"
}

# The reindex runs' datadir: every block and header stored once.
echo "preparing the reindex datadir" >&2
"$daemon" -regtest -datadir="$base" -loadblock="$file" -stopatheight="$height" \
    -listen=0 -connect=0 -rpcport="$port" -printtoconsole=0 >/dev/null 2>&1 || true

i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	for av in "$tip" 0; do
		dir=$(mktemp -d /tmp/bench_av.XXXXXX)
		run "$dir" import "$av" -loadblock="$file"
		rm -rf "$dir"
		: >"$base/regtest/debug.log"
		run "$base" reindex "$av" -reindex-chainstate
	done
done

: >"$base/regtest/debug.log"
"$daemon" -regtest -datadir="$base" -stopatheight="$height" -assumevalid="$tip" \
    -listen=0 -connect=0 -rpcport="$port" -printtoconsole=0 -reindex-chainstate \
    -debug=validation >/dev/null 2>&1 || true
skipped=$(grep -c 'Skipping script verification' "$base/regtest/debug.log" || true)
checked=$(grep -c 'Verifying scripts of block' "$base/regtest/debug.log" || true)
echo "reindex with -assumevalid=tip: $skipped blocks skipped their scripts, $checked checked them"

# Medians of wall and of CPU seconds, each over its own runs.
for mode in import reindex; do
	for label in tip 0; do
		wall=$(grep "^$mode $label " "$results" | cut -d' ' -f3 | sort -n)
		cpu=$(grep "^$mode $label " "$results" | cut -d' ' -f4 | sort -n)
		n=$(echo "$wall" | wc -l)
		k=$(((n + 1) / 2))
		printf '%s -assumevalid=%s: median %.2f s wall, %.2f s CPU, of %d runs\n' \
		    "$mode" "$label" "$(echo "$wall" | sed -n "${k}p")" \
		    "$(echo "$cpu" | sed -n "${k}p")" "$n"
	done
done
