#!/bin/sh
# Integration tests with pam-drive, and so libpam and the module it
# loads, under valgrind memcheck: any memory error, anything definitely
# or indirectly lost, fails the test that caused it (exit code 99), and
# the tests themselves check that no descriptor is left open
# (pam-drive's fds-leaked).
#
#   sh tests/valgrind.sh [TEST.py...]    (from a built tree; check.sh)
#
# Without arguments it runs test_online.py and test_access.py, which
# between them go through every online outcome, the rights request and
# the account phase; test_offline.py adds mostly yescrypt time.  Prints
# one PASS:, FAIL: or SKIP: line per test.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
tests=${*:-tests/integration/test_online.py tests/integration/test_access.py}
status=0

command -v valgrind >/dev/null || {
  echo "FAIL: valgrind (not installed)"
  exit 1
}
make -j"$(nproc)" tests/pam-drive pam_resgrid.la >/dev/null 2>&1 || {
  echo "FAIL: valgrind (build)"
  exit 1
}

PAM_DRIVE_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect \
--show-leak-kinds=definite,indirect --track-fds=yes"
TOP_SRCDIR=$top TOP_BUILDDIR=$top PYTHONDONTWRITEBYTECODE=1
export PAM_DRIVE_WRAPPER TOP_SRCDIR TOP_BUILDDIR PYTHONDONTWRITEBYTECODE

# The test programs are independent (each has its own stand-in and
# folder), so they run side by side, one per core.
for t in $tests; do
  name=$(basename "$t" .py)
  (
    python3 "$t" >"tests/valgrind-$name.log" 2>&1
    echo $? >"tests/valgrind-$name.rc"
  ) &
done
wait

for t in $tests; do
  name=$(basename "$t" .py)
  log=tests/valgrind-$name.log
  rc=$(cat "tests/valgrind-$name.rc")
  rm -f "tests/valgrind-$name.rc"
  sed -n -e "s/^ok [0-9]* - \(.*\) # SKIP.*/SKIP: valgrind $name \1/p" \
    -e "/# SKIP/b" \
    -e "s/^ok [0-9]* - \(.*\)/PASS: valgrind $name \1/p" \
    -e "s/^not ok [0-9]* - \(.*\)/FAIL: valgrind $name \1/p" "$log"
  if grep -q '^not ok' "$log"; then
    status=1
  elif [ "$rc" -ne 0 ] || ! grep -q '^1\.\.' "$log"; then
    tail -n 20 "$log"
    echo "FAIL: valgrind $name (exit $rc)"
    status=1
  fi
done
exit "$status"
