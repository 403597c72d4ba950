#!/bin/sh
# run-unit.sh BIN... -- run every cmocka unit-test binary; fail if any fails or none ran.
# cmocka prints its own summary per binary; the last line here is the overall count.
set -u
pass=0
fail=0
for t in "$@"; do
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
