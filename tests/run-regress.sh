#!/bin/sh
# run-regress.sh BUILD NAME... -- replay, for each fuzz harness NAME, every
# saved fuzz input (tests/regress/NAME-*) and every test fixture through
# BUILD/fuzz_NAME_replay; any crash (or sanitizer report) fails.
set -u
build=$1
shift
n=0
fail=0
for name in "$@"; do
    bin=$build/fuzz_${name}_replay
    for f in tests/regress/$name-* $(find tests/data -type f -size -2M | sort); do
        [ -f "$f" ] || continue
        n=$((n + 1))
        "$bin" "$f" || { echo "regress: $name $f crashed" >&2; fail=$((fail + 1)); }
    done
done
echo "regress: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
