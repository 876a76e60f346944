#!/usr/bin/env bash
# Installs what is missing, builds, and runs bitrootd on regtest in the
# foreground with the default datadir. Ctrl-C stops it cleanly. Running it
# again reuses the build and the chain.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

. contrib/phase.sh
phase "installing missing dependencies" contrib/install-deps.sh || exit 1
phase "building (a few minutes the first time)" contrib/build.sh || exit 1

# P2P on loopback only: a regtest node has no business on other interfaces
# unless asked. A -bind or -whitebind of the caller's replaces ours.
bind=-bind=127.0.0.1
p2p="18444 on 127.0.0.1 only (other machines cannot connect; pass
            -bind=0.0.0.0 to accept them)"
for a in "$@"; do
	case "$a" in
	-bind=*|--bind=*|-whitebind=*|--whitebind=*)
		bind=
		p2p="as your $a says"
		;;
	esac
done

datadir=${BITROOT_DATADIR:-$HOME/.bitroot}
mkdir -p "$datadir"
cat <<EOT

bitrootd on regtest
  datadir:  $datadir (chain files in $datadir/regtest)
  P2P port: $p2p
  RPC port: 18443 on 127.0.0.1, cookie auth ($datadir/regtest/.cookie)
Query it from another terminal:
  $top/src/bitroot-cli -regtest -datadir=$datadir getblockchaininfo
  $top/src/bitroot-cli -regtest -datadir=$datadir -named generatetoaddress nblocks=1 address=bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6
Ctrl-C stops it.

EOT
exec src/bitrootd -regtest -datadir="$datadir" -printtoconsole ${bind:+"$bind"} "$@"
