#!/bin/sh
# Static analysis of the module's library and of resgridctl: cppcheck and
# clang-tidy (checks in .clang-tidy, false positives of cppcheck in
# tests/cppcheck.supp, each with its reason).  Any finding fails.
#
#   sh tests/analyze.sh [BUILDDIR]     (make analyze)
#
# BUILDDIR holds config.h (default: the top folder).  Prints one PASS: or
# FAIL: line per tool, after the findings.
set -u
cd "$(dirname "$0")/.."
builddir=${1:-.}
status=0

if [ ! -f "$builddir/config.h" ]; then
  echo "FAIL: analyze (no config.h in $builddir: run ./configure first)"
  exit 1
fi
sources=$(ls pam_resgrid/*.c tools/*.c 2>/dev/null)
# shellcheck disable=SC2086
deps=$(pkg-config --cflags libcurl jansson libxcrypt libcrypto pam check)
flags="-I$builddir -Ipam_resgrid -Itools $deps"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# shellcheck disable=SC2086
if cppcheck --enable=warning,performance,portability --error-exitcode=1 \
  --inline-suppr --std=c11 -q -I"$builddir" -Ipam_resgrid -Itools \
  --suppress=missingIncludeSystem --suppressions-list=tests/cppcheck.supp \
  --template='{file}:{line}: {severity}: {message} [{id}]' \
  $sources >"$out/cppcheck" 2>&1; then
  echo "PASS: cppcheck"
else
  cat "$out/cppcheck"
  echo "FAIL: cppcheck ($(grep -c '^[^ ].*: .*\[' "$out/cppcheck") findings)"
  status=1
fi

# One clang-tidy per file, two at a time; each prints only findings.
# shellcheck disable=SC2086
printf '%s\n' $sources |
  xargs -P "$(nproc)" -I{} sh -c \
    'clang-tidy -quiet "$1" -- $2 >"$3/tidy.$(echo "$1" | tr / _)" 2>&1 ||
       echo "$1" >>"$3/tidy-failed"' sh {} "$flags" "$out"
if [ ! -f "$out/tidy-failed" ]; then
  echo "PASS: clang-tidy"
else
  cat "$out"/tidy.* | grep -v '^[0-9]* warnings\? generated\.$' |
    grep -v '^Suppressed [0-9]* warnings' |
    grep -v '^Use -header-filter' || :
  echo "FAIL: clang-tidy ($(wc -l <"$out/tidy-failed") files with findings)"
  status=1
fi
exit "$status"
