#!/bin/sh
# A short run of every libFuzzer harness, for CI: each starts from its
# checked-in corpus and runs for SMOKE_SECONDS (20) or SMOKE_RUNS
# (200000) inputs, whichever ends first.  Prints one PASS: or FAIL: line
# per harness; a crash, leak, sanitizer report or broken promise fails it
# and the input is kept in tests/fuzz/findings/.
#
#   sh tests/fuzz/smoke.sh      (from a configured tree; runs make fuzz)
set -u
cd "$(dirname "$0")/../.."
seconds=${SMOKE_SECONDS:-20}
runs=${SMOKE_RUNS:-200000}
harnesses="token idtoken rights record config usermap"
findings=tests/fuzz/findings
status=0
# A smaller quarantine, and memory kept rather than given back: the
# harnesses cycle large buffers (the user map is read into 1 MiB), and
# page faults dominate otherwise.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8:allocator_release_to_os_interval_ms=-1}
export ASAN_OPTIONS

if ! make fuzz >tests/fuzz/build.log 2>&1; then
  tail -n 20 tests/fuzz/build.log
  echo "FAIL: fuzz-build (make fuzz)"
  exit 1
fi
mkdir -p "$findings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for h in $harnesses; do
  dict=tests/fuzz/json.dict
  case $h in config | usermap) dict=tests/fuzz/config.dict ;; esac
  mkdir "$work/$h"
  # New inputs go to the scratch folder; the checked-in corpus is only
  # read.
  if tests/fuzz/fuzz_"$h" -max_total_time="$seconds" -runs="$runs" \
    -dict="$dict" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/$h-" \
    "$work/$h" "tests/fuzz/corpus/$h" >"$work/$h.log" 2>&1; then
    stats=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/$h.log" | tail -n 1)
    echo "PASS: fuzz_$h ($stats runs, $cov)"
  else
    grep -E 'ERROR|broken promise|SUMMARY|artifact|#[0-9]+ +in ' \
      "$work/$h.log" | head -n 30
    echo "FAIL: fuzz_$h"
    status=1
  fi
done
exit "$status"
