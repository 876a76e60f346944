#!/usr/bin/env bash
# Scale benchmark: imports a generated regtest chain whose UTXO set ends
# with N coins (contrib/bench/gen_utxo_chain) with -loadblock into bitrootd,
# into Bitcoin Core with its default -dbcache and into Core with
# -dbcache=4000, each in a fresh datadir on loopback-only settings, and
# prints one JSON line per node (medians over --runs):
#
#   {"node": "bitrootd"|"core"|"core-dbcache4000", "coins": N, "seconds": S,
#    "peak_rss_kb": R, "disk_bytes": D, "blocks_per_s": B, "inputs_per_s": I,
#    "last10pct_seconds": T, "hash_serialized_3": H, ...}
#
# seconds: process start to the last block connected; last10pct_seconds:
# the part of it spent on the last 10% of the blocks (the cold-cache end).
# Both come from the node's per-block "UpdateTip" log lines where it writes
# them (Core: its RPC cannot see the blocks it connects in one batch under
# cs_main), otherwise from getblockcount polled every 0.1 s (bitrootd); shutdown_seconds: the stop
# RPC to exit, where Core writes out its coins cache; peak_rss_kb and
# cpu_seconds: GNU time's maximum RSS and user+system CPU time over the
# whole process, shutdown included (on a shared machine CPU time says
# more than wall time); peak_anon_kb: the largest RssAnon seen at the
# 0.1 s polls, the process's private memory (peak RSS also counts file
# pages mapped in, which for bitrootd is its whole store);
# disk_bytes: the chain directory after shutdown (allocated blocks,
# debug.log left out). Afterwards each node is started again on its
# datadir for gettxoutsetinfo: every node must end on the generator's tip,
# with N coins and the same hash_serialized_3, or the script exits 1.
#
# usage: contrib/bench/bench_utxo_scale.sh --coins N --core PATH/bitcoind
#            [--runs R] [--signed] [--seed S] [--builddir DIR] [--nodes LIST]
#
# --nodes "bitrootd core" runs only those (comma or space separated); the
# default is the three above. bitrootd-dbcache4000 (bitrootd with
# -dbcache=4000: bigger sync batches) may be added.
#
# Chains are cached in $BENCH_CACHE (default /tmp/bitroot-utxo-chains),
# named after coins, seed and variant, and reused. Runs are interleaved
# (bitrootd, core, core-dbcache4000, then again) so that load from other
# work on the machine falls on all three alike.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$srcdir
coins=
core=
runs=1
seed=1
signed=
nodes="bitrootd core core-dbcache4000"
# An import that takes longer than this is reported as a failure.
import_timeout=${BENCH_IMPORT_TIMEOUT:-21600}

usage() {
	echo "usage: $0 --coins N --core PATH [--runs R] [--signed] [--seed S] [--builddir DIR] [--nodes LIST]" >&2
	exit 2
}
die() {
	echo "bench_utxo_scale: $*" >&2
	exit 1
}
say() {
	echo "bench_utxo_scale: $*" >&2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--coins) [ $# -ge 2 ] || usage; coins=$2; shift 2 ;;
	--core) [ $# -ge 2 ] || usage; core=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
	--builddir) [ $# -ge 2 ] || usage; builddir=$(cd "$2" && pwd); shift 2 ;;
	--signed) signed=1; shift ;;
	--nodes) [ $# -ge 2 ] || usage; nodes=$(echo "$2" | tr ',' ' '); shift 2 ;;
	*) usage ;;
	esac
done
# shellcheck source=contrib/bench/utxo_chain.sh
. "$srcdir/contrib/bench/utxo_chain.sh"
# The last 10% of the blocks are those above this height.
h90=$(( height - height / 10 ))

# --- one import --------------------------------------------------------------
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now() {
	date +%s.%N
}

# Node arguments shared by both implementations: no network but loopback RPC.
node_args() {
	echo -regtest -datadir="$1" -rpcport="$2" -rpcbind=127.0.0.1 \
	    -rpcallowip=127.0.0.1 -server=1 -listen=0 -connect=0 -dnsseed=0 \
	    -fixedseeds=0 -discover=0 -upnp=0 -natpmp=0 -listenonion=0 \
	    -printtoconsole=0 -persistmempool=0 -logtimemicros
}

# log_time DATADIR HEIGHT: when the block at HEIGHT was connected, from
# the UpdateTip line of debug.log (microsecond timestamps); fails if none.
log_time() {
	local ts
	ts=$(grep -m1 "UpdateTip: new best=[0-9a-f]* height=$2 " "$1/regtest/debug.log" | cut -d' ' -f1)
	[ -n "$ts" ] && date -d "$ts" +%s.%N
}

# import_once NAME DAEMON CLI [extra args]:
# prints "seconds last10 rss disk shutdown cpu hash".
import_once() {
	local label=$1 bin=$2 c=$3 dir port pid start t90='' tend='' t h stop0 shut rss cpu disk hash txouts best info anon a
	shift 3
	dir=$(mktemp -d /tmp/bench_utxo.XXXXXX)
	port=$(free_port)
	# shellcheck disable=SC2046
	set -- $(node_args "$dir" "$port") "$@"
	rpc() { "$c" -regtest -datadir="$dir" -rpcport="$port" "$@"; }
	start=$(now)
	/usr/bin/time -f "%M %U %S" -o "$dir/rss" "$bin" "$@" -loadblock="$chain" \
	    >"$dir/stdout" 2>&1 &
	pid=$!
	anon=0
	while :; do
		# The node's private memory (RssAnon), sampled with the polls:
		# peak RSS also counts file pages mapped in (bitrootd's store).
		a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$(pgrep -P "$pid" | head -1)/status" 2>/dev/null) || a=0
		[ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
		h=$(rpc getblockcount 2>/dev/null) || h=-1
		if [ -z "$t90" ] && [ "$h" -ge "$h90" ]; then
			t90=$(now)
		fi
		if [ "$h" -ge "$height" ]; then
			tend=$(now)
			break
		fi
		kill -0 "$pid" 2>/dev/null || {
			cat "$dir/stdout" >&2
			die "$label exited during the import (datadir $dir kept)"
		}
		if [ "$(echo "$(now) - $start > $import_timeout" | bc)" = 1 ]; then
			rpc stop >/dev/null 2>&1 || true
			wait "$pid" || true
			die "$label: no tip after $import_timeout s (datadir $dir kept)"
		fi
		sleep 0.1
	done
	best=$(rpc getbestblockhash)
	t=$(log_time "$dir" "$h90") && t90=$t
	t=$(log_time "$dir" "$height") && tend=$t
	[ "$best" = "$tip" ] || die "$label ended on $best, not the chain's tip $tip (datadir $dir kept)"
	stop0=$(now)
	rpc stop >/dev/null
	wait "$pid" || die "$label: exit status $? at shutdown (datadir $dir kept)"
	shut=$(echo "$(now) - $stop0" | bc)
	rss=$(tail -1 "$dir/rss" | cut -d' ' -f1)
	cpu=$(tail -1 "$dir/rss" | awk '{ print $2 + $3 }')
	disk=$(du -s -B1 --exclude=debug.log "$dir/regtest" | cut -f1)

	# Again on the same datadir, for the UTXO set's hash.
	# shellcheck disable=SC2046
	"$bin" $(node_args "$dir" "$port") >"$dir/stdout" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		h=$(rpc getblockcount 2>/dev/null) || h=-1
		[ "$h" -ge 0 ] && break
		kill -0 "$pid" 2>/dev/null || die "$label did not restart (datadir $dir kept)"
		sleep 0.5
	done
	[ "$h" = "$height" ] || die "$label restarted at height $h, not $height (datadir $dir kept)"
	info=$(rpc gettxoutsetinfo)
	rpc stop >/dev/null
	wait "$pid" || true
	hash=$(echo "$info" | sed -n 's/.*"hash_serialized_3": *"\([0-9a-f]*\)".*/\1/p')
	txouts=$(echo "$info" | sed -n 's/.*"txouts": *\([0-9]*\).*/\1/p')
	[ "$txouts" = "$coins" ] || die "$label has $txouts coins, not $coins (datadir $dir kept)"
	rm -rf "$dir"
	echo "$(echo "$tend - $start" | bc) $(echo "$tend - $t90" | bc) $rss $disk $shut $cpu $hash $anon"
}

# --- the runs ----------------------------------------------------------------
results=$(mktemp -d /tmp/bench_utxo_results.XXXXXX)
trap 'rm -rf "$results"' EXIT
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	for node in $nodes; do
		case $node in
		bitrootd) line=$(import_once "$node" "$daemon" "$cli") ;;
		bitrootd-dbcache4000) line=$(import_once "$node" "$daemon" "$cli" -dbcache=4000) ;;
		core) line=$(import_once "$node" "$core" "$corecli") ;;
		core-dbcache4000) line=$(import_once "$node" "$core" "$corecli" -dbcache=4000) ;;
		esac
		echo "$line" >>"$results/$node"
		say "run $i $node: $(echo "$line" | cut -d" " -f1-6,8) (seconds last10 rss_kb disk_bytes shutdown_s cpu_s anon_kb), load $(cut -d' ' -f1 /proc/loadavg)"
	done
done

# Every run of every node must agree on the UTXO set.
hashes=$(cut -d' ' -f7 "$results"/* | sort -u)
[ "$(echo "$hashes" | wc -l)" = 1 ] || die "hash_serialized_3 differs between nodes or runs: $hashes"

median() {	# column of the node's results file
	cut -d' ' -f"$2" "$results/$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for node in $nodes; do
	secs=$(median "$node" 1)
	awk -v node="$node" -v coins="$coins" -v s="$secs" -v l10="$(median "$node" 2)" \
	    -v rss="$(median "$node" 3)" -v disk="$(median "$node" 4)" \
	    -v shut="$(median "$node" 5)" -v cpu="$(median "$node" 6)" -v anon="$(median "$node" 8)" \
	    -v hash="$hashes" -v h="$height" \
	    -v nin="$ninputs" -v runs="$runs" -v signed="${signed:-0}" 'BEGIN {
		printf "{\"node\": \"%s\", \"coins\": %d, \"seconds\": %.2f, " \
		    "\"peak_rss_kb\": %d, \"disk_bytes\": %.0f, \"blocks_per_s\": %.1f, " \
		    "\"inputs_per_s\": %.0f, \"last10pct_seconds\": %.2f, " \
		    "\"hash_serialized_3\": \"%s\", \"shutdown_seconds\": %.2f, \"cpu_seconds\": %.2f, " \
		    "\"peak_anon_kb\": %d, " \
		    "\"height\": %d, \"inputs\": %d, \"signed\": %s, \"runs\": %d}\n",
		    node, coins, s, rss, disk, h / s, nin / s, l10, hash, shut, cpu,
		    anon, h, nin, signed ? "true" : "false", runs
	}'
done
