#!/bin/sh
# run-regress.sh REPLAY -- replay every saved fuzz input (tests/regress/msgtrk-*)
# and every test fixture through the parser harness; any crash fails.
set -u
bin=$1
n=0
fail=0
for f in tests/regress/msgtrk-* $(find tests/data -type f | sort); do
    [ -f "$f" ] || continue
    n=$((n + 1))
    "$bin" "$f" || { echo "regress: $f crashed" >&2; fail=$((fail + 1)); }
done
echo "regress: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
