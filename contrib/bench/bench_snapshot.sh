#!/usr/bin/env bash
# Snapshot benchmark (assumeutxo): the scale benchmark's chain of N coins
# (contrib/bench/gen_utxo_chain) as a UTXO snapshot, written by Bitcoin Core
# and by bitrootd, loaded into bitrootd, and validated in the background.
#
#   1. Core imports the chain with -loadblock (the "source", which then
#      serves blocks on loopback) and writes a snapshot at the tip with
#      dumptxoutset;
#   2. bitrootd imports the chain and writes its snapshot; the two files
#      must be byte for byte the same;
#   3. per run: a fresh bitrootd is given the headers (submitheader) and a
#      -testsnapshot entry built from Core's answer, loads Core's file with
#      loadtxoutset, then connects to the source and validates the chain
#      up to the snapshot in its background chainstate until that is
#      dropped; the coins must hash to Core's hash_serialized_3;
#   4. per run, for comparison: a fresh Core syncs the same blocks from the
#      source with full validation (what Core's background chainstate does;
#      Core itself cannot load this snapshot, since its assumeutxo table is
#      compiled in and names only its own test chains), and a fresh
#      bitrootd does the same (--no-ibd skips both).
#
# Prints one JSON line per figure, medians over --runs:
#   {"what": "dump", "node": ..., "seconds": S, "bytes": B, "coins": N}
#   {"what": "load", "node": "bitrootd", "seconds": S, "peak_rss_kb": R, ...}
#   {"what": "background", "node": "bitrootd", "seconds": S, ...}
#   {"what": "ibd", "node": "core"|"bitrootd", "seconds": S, ...}
#
# usage: contrib/bench/bench_snapshot.sh --coins N --core PATH/bitcoind
#            [--runs R] [--seed S] [--builddir DIR] [--no-ibd]
#
# BENCH_KEEP=1 keeps the work directory (datadirs, logs, snapshot);
# BENCH_TARGET_ARGS adds arguments to the loading bitrootd;
# BENCH_SOURCE_DIR keeps Core's source datadir there, to be reused (the
# import is then mostly skipped); BENCH_NO_BDUMP=1 skips step 2.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$srcdir
coins=
core=
runs=1
seed=1
ibd=1
timeout=${BENCH_IMPORT_TIMEOUT:-21600}

usage() {
	echo "usage: $0 --coins N --core PATH [--runs R] [--seed S] [--builddir DIR] [--no-ibd]" >&2
	exit 2
}
die() {
	echo "bench_snapshot: $*" >&2
	exit 1
}
say() {
	echo "bench_snapshot: $*" >&2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--coins) [ $# -ge 2 ] || usage; coins=$2; shift 2 ;;
	--core) [ $# -ge 2 ] || usage; core=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
	--builddir) [ $# -ge 2 ] || usage; builddir=$(cd "$2" && pwd); shift 2 ;;
	--no-ibd) ibd=; shift ;;
	*) usage ;;
	esac
done
signed=
# shellcheck source=contrib/bench/utxo_chain.sh
. "$srcdir/contrib/bench/utxo_chain.sh"

work=$(mktemp -d /tmp/bench_snapshot.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now() {
	date +%s.%N
}
since() {
	echo "$(now) - $1" | bc
}
# json FIELD: FIELD of the JSON object on standard input.
json() {
	python3 -c 'import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1"
}

# start NAME BIN CLI [args]: a node in $work/NAME under GNU time; sets
# dir_NAME, port_NAME (RPC), p2p_NAME and pid_NAME.
declare -A dir port p2p pid bincli
start() {
	local name=$1 bin=$2 c=$3
	shift 3
	dir[$name]=$work/$name
	if [ "$name" = source ] && [ -n "${BENCH_SOURCE_DIR:-}" ]; then
		dir[$name]=$BENCH_SOURCE_DIR
	else
		rm -rf "${dir[$name]}"
	fi
	mkdir -p "${dir[$name]}"
	port[$name]=$(free_port)
	p2p[$name]=$(free_port)
	bincli[$name]=$c
	local bind=
	case " $* " in *" -listen=1 "*) bind=-bind=127.0.0.1:${p2p[$name]} ;; esac
	/usr/bin/time -f "%M %U %S" -o "${dir[$name]}/time" "$bin" -regtest \
	    -datadir="${dir[$name]}" -rpcport="${port[$name]}" -rpcbind=127.0.0.1 \
	    -rpcallowip=127.0.0.1 -server=1 $bind \
	    -dnsseed=0 -fixedseeds=0 -discover=0 -upnp=0 -natpmp=0 -listenonion=0 \
	    -printtoconsole=0 -persistmempool=0 "$@" >"${dir[$name]}/stdout" 2>&1 &
	pid[$name]=$!
	pids+=("$!")
	local _
	for _ in $(seq 600); do
		rpc "$name" getblockcount >/dev/null 2>&1 && return 0
		kill -0 "${pid[$name]}" 2>/dev/null || { cat "${dir[$name]}/stdout" >&2; die "$name did not start"; }
		sleep 0.1
	done
	die "$name: no RPC after 60 s"
}
rpc() {
	local name=$1
	shift
	"${bincli[$name]}" -regtest -datadir="${dir[$name]}" -rpcport="${port[$name]}" \
	    -rpcclienttimeout=0 "$@"
}
# stop NAME: stops the node (in this shell: wait needs its child); sets
# rt to "peak_rss_kb cpu_seconds".
stop() {
	rpc "$1" stop >/dev/null
	wait "${pid[$1]}" || die "$1: exit status $? at shutdown"
	rt=$(tail -1 "${dir[$1]}/time" | awk '{ print $1, $2 + $3 }')
}
# anon NAME: the node's RssAnon now, in kB (0 once it is gone).
anon() {
	local p
	p=$(pgrep -P "${pid[$1]}" | head -1) || { echo 0; return; }
	awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0
}
# wait_height NAME H: polls until the node's active tip is at H; prints
# the peak RssAnon seen.
wait_height() {
	local t0 h a peak=0
	t0=$(now)
	while :; do
		a=$(anon "$1")
		[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
		h=$(rpc "$1" getblockcount 2>/dev/null) || h=-1
		[ "$h" -ge "$2" ] && break
		kill -0 "${pid[$1]}" 2>/dev/null || die "$1 exited (see ${dir[$1]})"
		[ "$(echo "$(since "$t0") > $timeout" | bc)" = 1 ] && die "$1: not at $2 after $timeout s"
		sleep 0.1
	done
	echo "$peak"
}
disk() {
	du -s -B1 --exclude=debug.log "${dir[$1]}/regtest" | cut -f1
}

# --- 1. Core imports and dumps ---------------------------------------------
t0=$(now)
# -maxtipage: the chain is dated from 2011, and Core in initial download
# would not answer getheaders.
start source "$core" "$corecli" -listen=1 -connect=0 -loadblock="$chain" \
    -maxtipage=2000000000
wait_height source "$height" >/dev/null
say "Core imported the chain in $(since "$t0") s"
[ "$(rpc source getbestblockhash)" = "$tip" ] || die "Core is not on the chain's tip"
t0=$(now)
rpc source dumptxoutset "$work/core.snap" >"$work/core.dump"
core_dump=$(since "$t0")
base=$(json base_hash <"$work/core.dump")
hs3=$(json txoutset_hash <"$work/core.dump")
nchaintx=$(json nchaintx <"$work/core.dump")
[ "$(json coins_written <"$work/core.dump")" = "$coins" ] || die "Core wrote $(json coins_written <"$work/core.dump") coins"
snapbytes=$(stat -c %s "$work/core.snap")
say "Core dumped $coins coins ($snapbytes bytes) in $core_dump s"
# Every header, for the loading nodes.
rpc source getblockhash 0 >/dev/null
for h in $(seq 1 "$height"); do
	rpc source getblockheader "$(rpc source getblockhash "$h")" false
done >"$work/headers"

# --- 2. bitrootd imports and dumps -----------------------------------------
if [ -n "${BENCH_NO_BDUMP:-}" ]; then
	b_dump=0
else
t0=$(now)
start bsource "$daemon" "$cli" -listen=0 -connect=0 -loadblock="$chain"
wait_height bsource "$height" >/dev/null
say "bitrootd imported the chain in $(since "$t0") s"
t0=$(now)
rpc bsource dumptxoutset "$work/bitrootd.snap" >"$work/bitrootd.dump"
b_dump=$(since "$t0")
stop bsource
rm -rf "${dir[bsource]}"
cmp "$work/core.snap" "$work/bitrootd.snap" || die "the snapshots differ"
rm -f "$work/bitrootd.snap"
say "bitrootd dumped the same $snapbytes bytes in $b_dump s"
fi

# --- 3 and 4. the runs -------------------------------------------------------
results=$work/results
mkdir -p "$results"
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	start target "$daemon" "$cli" -listen=0 -connect=0 ${BENCH_TARGET_ARGS:-} \
	    -testsnapshot="$height:$base:$hs3:$nchaintx"
	while read -r hdr; do
		rpc target submitheader "$hdr" >/dev/null
	done <"$work/headers"
	a0=$(anon target)
	t0=$(now)
	rpc target loadtxoutset "$work/core.snap" >"$work/load"
	load=$(since "$t0")
	a1=$(anon target)
	[ "$(json coins_loaded <"$work/load")" = "$coins" ] || die "bitrootd loaded $(json coins_loaded <"$work/load") coins"
	t0=$(now)
	rpc target addnode "127.0.0.1:${p2p[source]}" onetry
	peak=$a1
	while :; do
		a=$(anon target)
		[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
		n=$(rpc target getchainstates | json chainstates | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
		[ "$n" = 1 ] && break
		kill -0 "${pid[target]}" 2>/dev/null || die "bitrootd exited during background validation (see ${dir[target]})"
		[ "$(echo "$(since "$t0") > $timeout" | bc)" = 1 ] && die "no end of background validation after $timeout s"
		sleep 0.2
	done
	bg=$(since "$t0")
	got=$(rpc target gettxoutsetinfo | json hash_serialized_3)
	[ "$got" = "$hs3" ] || die "bitrootd ended on hash_serialized_3 $got, not $hs3"
	d=$(disk target)
	stop target
	echo "$load $bg ${rt%% *} ${rt##* } $peak $d $a1 $a0" >>"$results/bitrootd"
	say "run $i: loaded in $load s (RssAnon $a0 -> $a1 kB), background validation $bg s, peak RssAnon $peak kB, peak RSS ${rt%% *} kB, disk $d"
	if [ -n "$ibd" ]; then
		for impl in core bitrootd; do
			if [ "$impl" = core ]; then
				start ibd "$core" "$corecli" -listen=0 -connect=127.0.0.1:"${p2p[source]}"
			else
				start ibd "$daemon" "$cli" -listen=0 -connect=127.0.0.1:"${p2p[source]}"
			fi
			t0=$(now)
			peak=$(wait_height ibd "$height")
			secs=$(since "$t0")
			d=$(disk ibd)
			stop ibd
			echo "$secs ${rt%% *} ${rt##* } $peak $d" >>"$results/ibd-$impl"
			say "run $i: $impl synced from Core in $secs s, peak RssAnon $peak kB, peak RSS ${rt%% *} kB, disk $d"
		done
	fi
done
stop source

median() {	# FILE COLUMN
	cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
printf '{"what": "dump", "node": "core", "seconds": %.2f, "bytes": %d, "coins": %d}\n' \
    "$core_dump" "$snapbytes" "$coins"
[ -n "${BENCH_NO_BDUMP:-}" ] ||
	printf '{"what": "dump", "node": "bitrootd", "seconds": %.2f, "bytes": %d, "coins": %d, "identical": true}\n' \
	    "$b_dump" "$snapbytes" "$coins"
r=$results/bitrootd
printf '{"what": "load", "node": "bitrootd", "seconds": %.2f, "anon_before_kb": %d, "anon_after_kb": %d, "coins": %d, "runs": %d}\n' \
    "$(median "$r" 1)" "$(median "$r" 8)" "$(median "$r" 7)" "$coins" "$runs"
printf '{"what": "background", "node": "bitrootd", "seconds": %.2f, "height": %d, "peak_rss_kb": %d, "cpu_seconds": %.1f, "peak_anon_kb": %d, "disk_bytes": %d, "hash_serialized_3": "%s", "runs": %d}\n' \
    "$(median "$r" 2)" "$height" "$(median "$r" 3)" "$(median "$r" 4)" "$(median "$r" 5)" "$(median "$r" 6)" "$hs3" "$runs"
if [ -n "$ibd" ]; then
	for impl in core bitrootd; do
		r=$results/ibd-$impl
		printf '{"what": "ibd", "node": "%s", "seconds": %.2f, "height": %d, "peak_rss_kb": %d, "cpu_seconds": %.1f, "peak_anon_kb": %d, "disk_bytes": %d, "runs": %d}\n' \
		    "$impl" "$(median "$r" 1)" "$height" "$(median "$r" 2)" "$(median "$r" 3)" "$(median "$r" 4)" "$(median "$r" 5)" "$runs"
	done
fi
