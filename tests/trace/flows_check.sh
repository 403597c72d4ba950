#!/bin/sh
# flows_check.sh MAILTRAIL -- MAILTRAIL built with -DMT_FLOWS_CHECK rebuilds
# every plain message of flows and pending a second time from facts (the
# way the others are), and says on stderr ("flows check: ...") where the two
# differ. Over small simulated organisations of every shape the runs must
# say nothing of the kind.
set -u
bin=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mt_flows_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
check() {
    name=$1
    shift
    rm -rf "$tmp/o"
    if ! "$bin" gen --out "$tmp/o" "$@" >/dev/null 2>&1; then
        echo "FAILED: $name: gen" >&2
        fail=$((fail + 1))
        return
    fi
    "$bin" flows --logs "$tmp/o" --format json >/dev/null 2>"$tmp/err"
    "$bin" pending --logs "$tmp/o" --format json >/dev/null 2>>"$tmp/err"
    if grep -q '^flows check' "$tmp/err"; then
        echo "FAILED: $name: $(grep -c '^flows check' "$tmp/err") differences" >&2
        grep '^flows check' "$tmp/err" | head -n 5 >&2
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}
check "2016, 2 servers" --version 2016 --servers 2 --messages-per-day 1500 --seed 11
check "2010, 3 servers" --version 2010 --servers 3 --messages-per-day 800 --seed 12
check "2007, 1 server" --version 2007 --servers 1 --messages-per-day 500 --seed 14
check "2016, 16 servers" --version 2016 --servers 16 --messages-per-day 600 --seed 22
check "2019, 4 servers, stuck" --version 2019 --servers 4 --messages-per-day 800 --stuck-rate 300 --seed 31
echo "flows-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
