#!/bin/sh
# run.sh MAILTRAIL -- golden CLI tests.
#
# Each tests/cli/cases/NAME.sh is a shell snippet that runs `mailtrail ...`
# from the repository root; its stdout, stderr and exit code must equal
# tests/expected/NAME.out, .err and .rc. MT_UPDATE_EXPECTED=1 rewrites the
# expected files instead (review the diff before committing). MT_CASES=GLOB
# limits the run to matching case names (e.g. MT_CASES='012*').
# The zone is pinned (TZ=UTC) so that times typed without a zone read the same
# on every machine; cases that test zones pass --tz.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export MT_BIN="$bin" TZ=UTC LC_ALL=C
unset MAILTRAIL_LOGS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for case in tests/cli/cases/${MT_CASES:-*}.sh; do
    name=$(basename "$case" .sh)
    exp=tests/expected/$name
    ( mailtrail() { "$MT_BIN" "$@"; }; . "./$case" ) >"$tmp/out" 2>"$tmp/err" </dev/null
    echo $? >"$tmp/rc"
    if [ "${MT_UPDATE_EXPECTED:-}" = 1 ]; then
        cp "$tmp/out" "$exp.out"; cp "$tmp/err" "$exp.err"; cp "$tmp/rc" "$exp.rc"
        pass=$((pass + 1))
        continue
    fi
    ok=1
    for k in out err rc; do
        if ! cmp -s "$tmp/$k" "$exp.$k"; then
            ok=0
            echo "--- $name: $k differs" >&2
            diff -u "$exp.$k" "$tmp/$k" 2>&1 | head -n 20 >&2
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name" >&2; fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
