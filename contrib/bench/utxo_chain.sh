# Sourced by bench_utxo_scale.sh and bench_snapshot.sh once their options
# are read (coins, runs, seed, core, builddir, signed; die and say defined):
# checks them, finds the tools, and makes or reuses the generated chain in
# $BENCH_CACHE. Sets gen, daemon, cli, corecli, chain, meta, height, tip,
# ninputs; field NAME reads the chain's metadata.
# shellcheck shell=bash
case "$coins" in ''|*[!0-9]*) usage ;; esac
case "$runs" in ''|*[!0-9]*|0) usage ;; esac
case "$seed" in ''|*[!0-9]*) usage ;; esac
[ -n "$core" ] || usage

gen=$builddir/contrib/bench/gen_utxo_chain
daemon=$builddir/src/bitrootd
cli=$builddir/src/bitroot-cli
corecli=$(dirname "$core")/bitcoin-cli
for f in "$gen" "$daemon" "$cli"; do
	[ -x "$f" ] || die "no $f: build first (contrib/build.sh)"
done
[ -x "$core" ] || die "no Bitcoin Core bitcoind at $core"
[ -x "$corecli" ] || die "no bitcoin-cli beside $core"
[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time (peak RSS)"

cache=${BENCH_CACHE:-/tmp/bitroot-utxo-chains}
mkdir -p "$cache"
name=utxo-$coins-s$seed${signed:+-signed}
chain=$cache/$name.dat
meta=$cache/$name.txt
if [ ! -s "$chain" ] || [ ! -s "$meta" ]; then
	say "generating $chain"
	t0=$(date +%s.%N)
	"$gen" --coins "$coins" --seed "$seed" --out "$chain.tmp" \
	    ${signed:+--signed} >"$meta.tmp"
	mv "$chain.tmp" "$chain"
	mv "$meta.tmp" "$meta"
	say "generated in $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
field() {
	sed -n "s/^$1=//p" "$meta"
}
height=$(field height)
tip=$(field tip)
ninputs=$(field inputs)
[ "$(field coins)" = "$coins" ] || die "$meta is not a chain of $coins coins"
say "chain: height $height, $(field transactions) transactions, $ninputs inputs, $(field bytes) bytes"
say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
