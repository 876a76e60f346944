#!/usr/bin/env bash
# Installs what is missing, builds, and runs bitrootd on regtest in the
# foreground with the default datadir. Ctrl-C stops it cleanly. Running it
# again reuses the build and the chain.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

contrib/install-deps.sh
echo "building..."
contrib/build.sh

datadir=${BITROOT_DATADIR:-$HOME/.bitroot}
mkdir -p "$datadir"
cat <<EOT

bitrootd on regtest
  datadir:  $datadir (chain files in $datadir/regtest)
  P2P port: 18444 on this machine
  RPC port: 18443 on 127.0.0.1, cookie auth ($datadir/regtest/.cookie)
Query it from another terminal:
  $top/src/bitroot-cli -regtest -datadir=$datadir getblockchaininfo
  $top/src/bitroot-cli -regtest -datadir=$datadir -named generatetoaddress nblocks=1 address=bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6
Ctrl-C stops it.

EOT
exec src/bitrootd -regtest -datadir="$datadir" -printtoconsole "$@"
