#!/bin/sh
# Quick start: installs what is needed, builds, and shows logins through
# the module against the bundled stand-in server.
set -eu
cd "$(dirname "$0")/.."
sh tests/install-deps.sh
[ -f configure ] || autoreconf -fi >/dev/null
[ -f Makefile ] || ./configure >/dev/null
make -j"$(nproc)" >/dev/null
make tests/pam-drive >/dev/null
TOP_SRCDIR=$PWD TOP_BUILDDIR=$PWD python3 tests/demo.py
