#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh [BIN] -- generate small organisations with `mailtrail gen` (every
# Exchange version, 1 to 3 servers, several days) and check each one against
# its ground truth with check_ground_truth.py; on organisations with stuck
# mail, trace and pending (files and index) against the ground truth too;
# then check that the same seed gives the same bytes. The last line is "N passed, M failed".
set -u
bin=${1:-build/mailtrail}
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mt_gen_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

check() {
    name=$1
    shift
    rm -rf "$tmp/o"
    if ! "$bin" gen --out "$tmp/o" "$@" >"$tmp/gen.log" 2>&1; then
        echo "FAILED: $name: mailtrail gen $*" >&2
        cat "$tmp/gen.log" >&2
        fail=$((fail + 1))
        return
    fi
    # mailtrail's own parser must read every generated tracking log without a
    # single diagnostic: the simulator writes what Exchange writes.
    "$bin" search --logs "$tmp/o" --count --stats >"$tmp/count.out" 2>"$tmp/search.err"
    src=$?
    diags=$(grep -vc '^mailtrail search: ' "$tmp/search.err")
    if [ "$src" -ne 0 ] || [ "$diags" -ne 0 ] || ! grep -q ' 0 malformed lines skipped; 0 unreadable files' "$tmp/search.err"; then
        echo "FAILED: $name: mailtrail search reported problems (exit $src)" >&2
        head -n 20 "$tmp/search.err" >&2
        fail=$((fail + 1))
    elif python3 "$here/check_ground_truth.py" "$tmp/o" >"$tmp/check.log" 2>&1; then
        echo "ok: $name: $(tail -n 1 "$tmp/check.log"); search read $(cat "$tmp/count.out") events, 0 diagnostics"
        pass=$((pass + 1))
    else
        echo "FAILED: $name: mailtrail gen $*" >&2
        tail -n 30 "$tmp/check.log" >&2
        fail=$((fail + 1))
    fi
}

check "2016, 2 servers" --version 2016 --servers 2 --messages-per-day 3000 --seed 1
check "2019, 3 servers" --version 2019 --servers 3 --messages-per-day 2000 --seed 2
check "2013, 2 servers, 2 days" --version 2013 --servers 2 --messages-per-day 1500 --days 2 --seed 3
check "2010, 2 servers" --version 2010 --servers 2 --messages-per-day 2000 --seed 4
check "2007, 1 server" --version 2007 --servers 1 --messages-per-day 1500 --seed 5
check "2016, 2 servers, 3 days, other start" --messages-per-day 800 --days 3 --seed 6 --start-date 2024-03-09

# With --stuck-rate some recipients are still deferred or in transit when the
# logs end: trace --all must give every message's truth (in transit: unknown),
# and pending, from the files and from the index, exactly those recipients.
check_stuck() {
    name=$1
    shift
    rm -rf "$tmp/o" "$tmp/db"
    if ! "$bin" gen --out "$tmp/o" "$@" >"$tmp/gen.log" 2>&1; then
        echo "FAILED: $name: mailtrail gen $*" >&2
        cat "$tmp/gen.log" >&2
        fail=$((fail + 1))
        return
    fi
    if python3 "$here/check_ground_truth.py" "$tmp/o" >"$tmp/check.log" 2>&1 &&
        "$bin" trace --all --logs "$tmp/o" --format json >"$tmp/t.jsonl" 2>"$tmp/err" &&
        python3 "$here/../trace/check_trace.py" "$tmp/o" "$tmp/t.jsonl" >>"$tmp/check.log" 2>&1 &&
        "$bin" pending --logs "$tmp/o" --format json >"$tmp/p.jsonl" 2>>"$tmp/err" &&
        python3 "$here/check_pending.py" "$tmp/o" "$tmp/p.jsonl" logs >>"$tmp/check.log" 2>&1 &&
        "$bin" index --db "$tmp/db" --logs "$tmp/o" >/dev/null 2>>"$tmp/err" &&
        "$bin" pending --db "$tmp/db" --format json >"$tmp/pd.jsonl" 2>>"$tmp/err" &&
        python3 "$here/check_pending.py" "$tmp/o" "$tmp/pd.jsonl" db >>"$tmp/check.log" 2>&1; then
        echo "ok: $name: $(grep '^trace:' "$tmp/check.log"); $(grep '^pending' "$tmp/check.log" | tr '\n' ' ')"
        pass=$((pass + 1))
    else
        echo "FAILED: $name: mailtrail gen $*" >&2
        tail -n 30 "$tmp/check.log" "$tmp/err" >&2
        fail=$((fail + 1))
    fi
}

check_stuck "2016, 2 servers, stuck" --version 2016 --servers 2 --messages-per-day 1500 --seed 31 --stuck-rate 300
check_stuck "2010, 3 servers, 2 days, stuck" --version 2010 --servers 3 --messages-per-day 800 --days 2 --seed 32 --stuck-rate 400
check_stuck "2007, 1 server, stuck" --version 2007 --servers 1 --messages-per-day 800 --seed 33 --stuck-rate 400

# Same seed, same bytes; another seed, other bytes.
"$bin" gen --out "$tmp/a" --messages-per-day 1000 --seed 9 >/dev/null 2>&1
"$bin" gen --out "$tmp/b" --messages-per-day 1000 --seed 9 >/dev/null 2>&1
"$bin" gen --out "$tmp/c" --messages-per-day 1000 --seed 10 >/dev/null 2>&1
if diff -r "$tmp/a" "$tmp/b" >/dev/null && ! diff -q "$tmp/a/ground-truth.jsonl" "$tmp/c/ground-truth.jsonl" >/dev/null; then
    echo "ok: deterministic"
    pass=$((pass + 1))
else
    echo "FAILED: same seed gave different output, or different seeds the same" >&2
    fail=$((fail + 1))
fi

echo "gen: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
