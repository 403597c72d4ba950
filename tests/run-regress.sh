#!/bin/sh
# run-regress.sh BUILD NAME... -- replay, for each fuzz harness NAME, every
# saved fuzz input (tests/regress/NAME-*) and every test fixture through
# BUILD/fuzz_NAME_replay; any crash (or sanitizer report) fails. Fixtures go
# through as they are and as fuzz/run.sh seeds the fuzzers with them (an
# option byte, 0x00 or 0x0b, before the file): a fixture that fails a
# harness's own checks is found here, every time, not by chance in a run.
set -u
build=$1
shift
n=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in "$@"; do
    bin=$build/fuzz_${name}_replay
    for f in tests/regress/$name-* $(find tests/data -type f -size -2M | sort); do
        [ -f "$f" ] || continue
        n=$((n + 1))
        "$bin" "$f" || { echo "regress: $name $f crashed" >&2; fail=$((fail + 1)); }
        case $f in tests/regress/*) continue ;; esac
        [ "$(wc -c < "$f")" -lt 65536 ] || continue
        for opt in '\000' '\013'; do
            { printf "$opt"; cat "$f"; } > "$tmp/seed"
            n=$((n + 1))
            "$bin" "$tmp/seed" || { echo "regress: $name $f (seeded with option byte $opt) crashed" >&2; fail=$((fail + 1)); }
        done
    done
done
echo "regress: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
