#!/bin/sh
# Builds the libFuzzer harnesses: make fuzz runs this with the flags that
# configure found.  The library's sources are compiled here again, with
# the fuzzer's coverage and the sanitizers, rather than linked from the
# normal build, so that ASan and UBSan see inside every parser.
#
# Environment: FUZZ_CC (a clang), srcdir and builddir (top folders),
# DEPS_CFLAGS and DEPS_LIBS (curl, jansson, libxcrypt, libcrypto).
set -eu

: "${FUZZ_CC:=clang}"
: "${srcdir:=.}"
: "${builddir:=.}"
: "${DEPS_CFLAGS:=}"
: "${DEPS_LIBS:=-lcurl -ljansson -lcrypt -lcrypto}"

harnesses="token idtoken rights record config usermap"
out="$builddir/tests/fuzz"
obj="$out/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer $san -I$builddir -I$srcdir/pam_resgrid
  $DEPS_CFLAGS"
wrap="-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup"

if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
  $FUZZ_CC -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
  echo "make fuzz: '$FUZZ_CC' cannot build libFuzzer harnesses;" \
    "install clang and libclang-rt-dev, or set FUZZ_CC" >&2
  exit 1
fi

mkdir -p "$obj"

# Compiles $1 into $2 with extra flags $3 when the object is older than
# the source or any header beside it.
compile() {
  if [ -f "$2" ]; then
    stale=no
    for dep in "$1" "$srcdir"/pam_resgrid/*.h "$srcdir"/tests/fuzz/fuzz.h; do
      [ "$dep" -nt "$2" ] && stale=yes
    done
    [ "$stale" = no ] && return 0
  fi
  echo "  CC(fuzz) $1"
  rm -f "$2"
  # shellcheck disable=SC2086
  $FUZZ_CC $cflags $3 -c "$1" -o "$2"
}

# The module's entry points need libpam and are not a parser: everything
# else goes into one archive, from which each harness takes what it uses.
lib_objs=""
for src in "$srcdir"/pam_resgrid/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = pam_resgrid ] && continue
  compile "$src" "$obj/$name.o" "-fsanitize=fuzzer-no-link" &
  lib_objs="$lib_objs $obj/$name.o"
done
compile "$srcdir/tests/fuzz/support.c" "$obj/support.o" \
  "-fsanitize=fuzzer-no-link"
wait
for o in $lib_objs; do [ -f "$o" ] || exit 1; done
rm -f "$obj/libresgrid-fuzz.a"
# shellcheck disable=SC2086
ar rcs "$obj/libresgrid-fuzz.a" $lib_objs

for h in $harnesses; do
  compile "$srcdir/tests/fuzz/fuzz_$h.c" "$obj/fuzz_$h.o" "-fsanitize=fuzzer"
  echo "  LD(fuzz) $out/fuzz_$h"
  # shellcheck disable=SC2086
  $FUZZ_CC $cflags -fsanitize=fuzzer $wrap -o "$out/fuzz_$h" \
    "$obj/fuzz_$h.o" "$obj/support.o" "$obj/libresgrid-fuzz.a" $DEPS_LIBS
done
