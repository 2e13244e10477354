#!/bin/sh
# The manual pages, as the build made them: each renders through man(1)
# without a warning, and pam_resgrid.conf(5) documents exactly the keys
# that the configuration parser accepts.  Prints TAP.
set -u

srcdir=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${TOP_BUILDDIR:-$srcdir}
pages="pam_resgrid/pam_resgrid.8 pam_resgrid/pam_resgrid.conf.5
  tools/resgridctl.8"

if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1
then
  echo "1..0 # SKIP man or groff is missing"
  exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
n=0

# A page passes when man exits 0, says nothing on standard error, and
# the text it renders has a NAME section.
for page in $pages; do
  n=$((n + 1))
  name=$(basename "$page")
  if [ ! -f "$builddir/$page" ]; then
    echo "not ok $n - $name renders without a warning"
    echo "# $builddir/$page was not built"
    continue
  fi
  LC_ALL=C MANWIDTH=80 MANPAGER=cat PAGER=cat \
    man --warnings -l "$builddir/$page" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] &&
    grep -q '^NAME' "$tmp/out"; then
    echo "ok $n - $name renders without a warning"
  else
    echo "not ok $n - $name renders without a warning"
    echo "# man exited $status"
    sed 's/^/# /' "$tmp/err"
  fi
done

# The keys of the table in conf.c, against the "*key* = " entries of the
# KEYS section of the page's source.
n=$((n + 1))
sed -n 's/^ *KEY(\([a-z_]*\),.*/\1/p' "$srcdir/pam_resgrid/conf.c" |
  sort >"$tmp/parsed"
sed -n '/^# KEYS$/,/^# [A-Z]/s/^\*\([a-z_]*\)\* = .*/\1/p' \
  "$srcdir/pam_resgrid/pam_resgrid.conf.5.scd" | sort >"$tmp/documented"
if [ -s "$tmp/parsed" ] && cmp -s "$tmp/parsed" "$tmp/documented"; then
  echo "ok $n - pam_resgrid.conf.5 documents every key, and no other"
else
  echo "not ok $n - pam_resgrid.conf.5 documents every key, and no other"
  echo "# parsed by conf.c (<) against documented (>):"
  diff "$tmp/parsed" "$tmp/documented" | sed -n 's/^[<>].*/# &/p'
fi
