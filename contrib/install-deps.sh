#!/usr/bin/env bash
# Installs what bitrootd needs to build, run and test, from Debian's packages.
# Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail

pkgs=(build-essential autoconf automake libtool pkg-config
      libevent-dev libssl-dev liblmdb-dev libsecp256k1-dev libjansson-dev
      libzmq3-dev python3 python3-zmq procps iproute2
      # feature_powerloss.py: ext4 on loop devices, imaged by XFS reflinks.
      mount e2fsprogs xfsprogs)
[ "${INSTALL_BENCH_TOOLS:-0}" = 1 ] && pkgs+=(wrk)
# The sanitizer run of contrib/check.sh also builds the libFuzzer targets:
# clang, and libFuzzer's runtime, which clang-N only recommends.
if [ "${CHECK_SANITIZERS:-0}" = 1 ]; then
	pkgs+=(clang)
	v=$(apt-cache depends clang 2>/dev/null |
	    sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	[ -n "$v" ] && pkgs+=("libclang-rt-$v-dev")
fi
# The status page test drives a real browser (feature_status_page.py); the
# test suite asks for it, a plain build (quickstart) does not.
[ "${INSTALL_BROWSER:-0}" = 1 ] && pkgs+=(chromium chromium-driver)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
