#!/usr/bin/env bash
# Builds bitrootd. With no argument: in the source tree (src/bitrootd,
# src/bitroot-cli). With DIR and configure flags: a copy of the source tree in
# DIR, built there (sanitizer builds live beside the normal one that way).
#   contrib/build.sh                      # in-tree, --enable-werror
#   contrib/build.sh build-asan --enable-sanitizers=address,undefined
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

if [ $# -eq 0 ]; then
	cd "$top"
	[ -x configure ] || ./autogen.sh >/dev/null
	if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
		./configure --enable-werror ${BR_CONFIGURE_FLAGS:-} >/dev/null
	fi
	make -j"$jobs" >/dev/null
	make -j"$jobs" check-programs-only >/dev/null
	exit 0
fi

dir=$1; shift
case "$dir" in /*) ;; *) dir="$top/$dir" ;; esac
mkdir -p "$dir"
# Copy the tracked and untracked-but-not-ignored sources; keep the build products.
(cd "$top" && git ls-files -co --exclude-standard -z | grep -zv '^build-' |
	tar --null -cf - -T -) | tar -xf - -C "$dir"
cd "$dir"
[ -x configure ] || ./autogen.sh >/dev/null
if [ ! -f Makefile ] || [ configure -nt Makefile ] || [ "$(cat .configured 2>/dev/null)" != "$*" ]; then
	./configure --enable-werror "$@" >/dev/null
	echo "$*" > .configured
fi
make -j"$jobs" >/dev/null
make -j"$jobs" check-programs-only >/dev/null
