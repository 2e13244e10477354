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

# The Debian package, built and installed into a disposable Debian root;
# root only.  check-package.log holds its totals, counted below.
rm -f check-package.log
if [ "${SKIP_PACKAGE:-}" = yes ]; then
  echo "check-package: skipped (SKIP_PACKAGE=yes)"
elif [ "$(id -u)" -ne 0 ]; then
  echo "check-package: skipped, it needs root"
else
  start=$(date +%s)
  make check-package || status=1
  echo "check-package: $(($(date +%s) - start)) s"
fi

# Hardening: fuzz smoke runs, the whole suite again under ASan and UBSan,
# the integration tests under valgrind, static analysis.  Each step prints
# PASS:/FAIL:/SKIP: lines, counted with the suite's; tests/hardening.log
# keeps them all.
: >tests/hardening.log
[ "${SKIP_HARDENING:-}" = yes ] ||
  for step in tests/fuzz/smoke.sh tests/sanitize.sh tests/valgrind.sh \
    tests/analyze.sh; do
    start=$(date +%s)
    sh "$step" >tests/step.log 2>&1 ||
      grep -q '^FAIL:' tests/step.log || echo "FAIL: $step" >>tests/step.log
    grep -v '^PASS:' tests/step.log
    echo "$step: PASS $(grep -c '^PASS:' tests/step.log)," \
      "FAIL $(grep -c '^FAIL:' tests/step.log)," \
      "$(($(date +%s) - start)) s"
    cat tests/step.log >>tests/hardening.log
  done

count() {
  for log in test-suite.log check-package.log; do
    [ -f "$log" ] && sed -n "s/^# $1: *\([0-9]*\)\$/\1/p" "$log" | head -n 1
  done | awk '{ n += $1 } END { print n + 0 }'
}
lines() {
  grep -c "^$1:" tests/hardening.log
}
pass=$(( $(count PASS) + $(lines PASS) ))
fail=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) + $(lines FAIL) +
  $(lines ERROR) + $(lines XPASS) ))
skip=$(( $(count SKIP) + $(lines SKIP) ))
[ "$fail" -eq 0 ] || status=1
[ "$status" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "${pass:-0} passed, ${fail} failed, ${skip:-0} skipped"
exit "$status"
