#!/usr/bin/env bash
# Differential consensus throughput: random cases per second of
# test/functional/feature_consensus_diff.py (Bitcoin Core 28.1 and bitrootd
# judge the same blocks), several runs; prints every run and the median.
#
# Usage: contrib/bench/bench_consensus_diff.sh [BUILDDIR] [RUNS] [CASES] [SEED]
#   BUILDDIR  where src/bitrootd is (default: .)
#   RUNS      runs (default 3); CASES random cases per run (default 2000);
#   SEED      seed of the first run (default 1; run k uses SEED + k)
# Each run builds its chains first (about 5 s, not counted: the figure is the
# random cases alone, as the test prints them). Needs the Core anchor in
# ../shared (or BITCOIND).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
runs=${2:-3}
cases=${3:-2000}
seed=${4:-1}
rates=()

for k in $(seq 0 $((runs - 1))); do
	out=$("$top/test/functional/feature_consensus_diff.py" --bitrootd="$build/src/bitrootd" \
		--no-directed --random="$cases" --seed=$((seed + k)) --progress=0 2>&1) || {
		echo "$out" | tail -20 >&2
		echo "run $k failed" >&2
		exit 1
	}
	line=$(echo "$out" | grep -o 'Random: [0-9]* cases in [0-9.]* s ([0-9.]* cases/s)')
	rate=$(echo "$line" | sed 's/.*(\([0-9.]*\) cases\/s)/\1/')
	echo "run $k (seed $((seed + k))): $line; load $(cut -d' ' -f1 /proc/loadavg)"
	rates+=("$rate")
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
echo "median: $median cases/s over $runs runs of $cases random cases"
