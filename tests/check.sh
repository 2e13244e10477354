#!/bin/sh
# The whole test suite from a clean checkout: installs what is needed,
# builds with warnings fatal, checks formatting, runs every test, checks
# that the distribution tarball builds and passes too, and ends with the
# totals on a line of their own.
set -u
cd "$(dirname "$0")/.."

sh tests/install-deps.sh || exit 1
autoreconf -fi >/dev/null || exit 1
./configure --enable-werror >/dev/null || exit 1
make -j"$(nproc)" >/dev/null || exit 1

status=0
make check-format || status=1
make -j"$(nproc)" check || status=1
[ "${SKIP_DISTCHECK:-}" = yes ] ||
  make -j"$(nproc)" distcheck >distcheck.out 2>&1 || {
    tail -n 40 distcheck.out
    status=1
  }

count() {
  sed -n "s/^# $1: *\([0-9]*\)\$/\1/p" test-suite.log | head -n 1
}
pass=$(count PASS)
fail=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) ))
skip=$(count SKIP)
[ "$fail" -eq 0 ] || status=1
[ "$status" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "${pass:-0} passed, ${fail} failed, ${skip:-0} skipped"
exit "$status"
