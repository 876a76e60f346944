#!/bin/sh
# Share of the regtest-dev.dat import spent in script checks, with -par=1
# and -par=2: bitrootd -loadblock with -debug=bench, RUNS times (default 3)
# per -par, in fresh datadirs.
#
# usage: contrib/bench/bench_import_par.sh [BUILDDIR] [RUNS] [extra bitrootd args]
#
# Import seconds are measured as bench_import.sh does (process start to the
# "Reached -stopatheight" line). Script and connect seconds come from the
# "[bench] scripts S s of C s connect" line the daemon logs when it reaches
# the height. Prints each run, then per -par the median of the runs (each
# column's own median): import s, connect s, script s, and the script
# share of the import and of the connect time.
set -e

builddir=${1:-.}
runs=${2:-3}
[ $# -ge 2 ] && shift 2 || shift $#
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
file=${BENCH_FILE:-$srcdir/../shared/chains/regtest-dev.dat}
json=${file%.dat}.json
daemon=$builddir/src/bitrootd
pars=${BENCH_PARS:-1 2}

[ -x "$daemon" ] || { echo "no $daemon: build first" >&2; exit 1; }
[ -r "$file" ] || { echo "no $file" >&2; exit 1; }
[ -r "$json" ] || { echo "no $json" >&2; exit 1; }
height=$(sed -n 's/.*"height": *\([0-9]*\).*/\1/p' "$json")
case "$runs" in ''|*[!0-9]*|0) echo "RUNS must be a positive number" >&2; exit 1 ;; esac

results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "load: $(uptime | sed 's/.*load average/load average/')"
for par in $pars; do
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		dir=$(mktemp -d /tmp/bench_import_par.XXXXXX)
		port=$((20000 + ($$ + i * 7 + par * 131) % 20000))
		start=$(date +%s.%N)
		"$daemon" -regtest -datadir="$dir" -loadblock="$file" \
		    -stopatheight="$height" -listen=0 -connect=0 \
		    -rpcport="$port" -printtoconsole=0 -logtimemicros \
		    -debug=bench -par="$par" "$@" >/dev/null 2>&1 || true
		log=$dir/regtest/debug.log
		last=$(grep -m1 'Reached -stopatheight' "$log" | cut -d' ' -f1)
		# The bench line logged just before the stop line.
		line=$(grep -m1 '\[bench\] scripts .* at -stopatheight' "$log" || true)
		rm -rf "$dir"
		if [ -z "$last" ] || [ -z "$line" ]; then
			echo "-par=$par run $i: did not reach height $height" \
			    "with a bench line" >&2
			exit 1
		fi
		secs=$(echo "$(date -d "$last" +%s.%N) - $start" | bc -l)
		scr=$(echo "$line" | sed 's/.*\[bench\] scripts \([0-9.]*\) s of.*/\1/')
		conn=$(echo "$line" | sed 's/.* s of \([0-9.]*\) s connect.*/\1/')
		lpar=$(echo "$line" | sed 's/.*, -par=\([0-9]*\),.*/\1/')
		[ "$lpar" = "$par" ] || {
			echo "-par=$par run $i: the daemon used -par=$lpar" >&2
			exit 1
		}
		printf -- '-par=%d run %d: import %.3f s, connect %.3f s, scripts %.3f s (%.1f%% of import, %.1f%% of connect)\n' \
		    "$par" "$i" "$secs" "$conn" "$scr" \
		    "$(echo "100 * $scr / $secs" | bc -l)" \
		    "$(echo "100 * $scr / $conn" | bc -l)"
		echo "$par $secs $conn $scr" >>"$results"
	done
done

for par in $pars; do
	awk -v p="$par" -v n="$runs" '
	function median(a,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == p { k++; s[k] = $2; c[k] = $3; x[k] = $4; sh[k] = 100 * $4 / $2 }
	END {
		ms = median(s); mc = median(c); mx = median(x); msh = median(sh)
		printf "-par=%d median of %d: import %.3f s, connect %.3f s, " \
		    "scripts %.3f s, share %.1f%% of import (%.1f%% of connect)\n",
		    p, n, ms, mc, mx, msh, 100 * mx / mc
	}' "$results"
done
