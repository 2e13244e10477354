#!/bin/sh
# The whole test suite, unit and integration, built with AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer (gcc), in a build of its
# own: the module that pam-drive loads through libpam, pam-drive itself,
# resgridctl and the fuzz replays are all instrumented.  Any report fails
# the test that caused it.
#
#   sh tests/sanitize.sh        (from a configured tree; tests/check.sh)
#
# The build is made from the distribution's files (make distdir), since
# automake refuses a second build beside an in-tree one; it lives in
# build-asan/.  Results are in build-asan/build/test-suite.log.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
san="-fsanitize=address,undefined -fno-sanitize-recover=all"

[ -f Makefile ] || {
  echo "FAIL: sanitize (run ./configure first)"
  exit 1
}
rm -rf build-asan
mkdir -p build-asan/build
echo '*' >build-asan/.gitignore
make distdir distdir="$top/build-asan/src" >build-asan/distdir.log 2>&1 || {
  tail -n 20 build-asan/distdir.log
  echo "FAIL: sanitize (make distdir)"
  exit 1
}

cd build-asan/build || exit 1
../src/configure CC=gcc CFLAGS="-O1 -g -fno-omit-frame-pointer $san" \
  LDFLAGS="$san" >configure.log 2>&1 &&
  make -j"$(nproc)" >make.log 2>&1 || {
  tail -n 30 configure.log make.log
  echo "FAIL: sanitize (build)"
  exit 1
}

# nss_wrapper is preloaded by the integration harness, ahead of the
# runtime, hence verify_asan_link_order=0; its dlopen() of libc with
# RTLD_DEEPBIND is refused by the sanitizer runtime, hence
# NSS_WRAPPER_DISABLE_DEEPBIND.  Leaks are looked for in every
# process, and nothing is suppressed.
NSS_WRAPPER_DISABLE_DEEPBIND=1
export NSS_WRAPPER_DISABLE_DEEPBIND
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
# Instrumented code runs a few times slower: give check's per-test
# timeouts the same margin.
CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-4}
export CK_TIMEOUT_MULTIPLIER
make -j"$(nproc)" check >check.log 2>&1
status=$?
grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' check.log
[ -f test-suite.log ] || {
  tail -n 30 check.log
  echo "FAIL: sanitize (make check did not run)"
  exit 1
}
exit "$status"
