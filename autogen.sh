#!/bin/sh
# Regenerates configure and Makefile.in; run once after a fresh clone.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux/m4
autoreconf --install --force
