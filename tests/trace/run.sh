#!/bin/sh
# run.sh MAILTRAIL -- trace every message of small simulated organisations and
# compare each path and each recipient's fate with the ground truth; the
# flows and the report's totals too, and the report's event counts against
# search's on the same logs.
set -u
bin=$1
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mt_trace_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
check() {
    name=$1
    shift
    rm -rf "$tmp/o"
    "$bin" gen --out "$tmp/o" "$@" >/dev/null 2>&1 &&
        "$bin" trace --all --logs "$tmp/o" --format json >"$tmp/t.jsonl" 2>"$tmp/err" &&
        python3 "$here/check_trace.py" "$tmp/o" "$tmp/t.jsonl" >"$tmp/check.log" 2>&1 &&
        "$bin" flows --logs "$tmp/o" --format json >"$tmp/f.jsonl" 2>>"$tmp/err" &&
        python3 "$here/check_flows.py" "$tmp/o" "$tmp/f.jsonl" >>"$tmp/check.log" 2>&1 &&
        "$bin" report --logs "$tmp/o" --section totals --format json >"$tmp/r.json" 2>>"$tmp/err" &&
        python3 "$here/check_report.py" "$tmp/o" "$tmp/r.json" >>"$tmp/check.log" 2>&1 &&
        python3 "$here/check_report_search.py" "$bin" "$tmp/o" >>"$tmp/check.log" 2>&1
    if [ $? -eq 0 ]; then
        echo "ok: $name: $(grep '^trace:' "$tmp/check.log"); $(grep '^flows:' "$tmp/check.log"); $(grep '^report:' "$tmp/check.log"); $(grep '^report-search:' "$tmp/check.log")"
        pass=$((pass + 1))
    else
        echo "FAILED: $name" >&2
        tail -n 12 "$tmp/check.log" "$tmp/err" >&2
        fail=$((fail + 1))
    fi
}
check "2016, 2 servers" --version 2016 --servers 2 --messages-per-day 1500 --seed 11
check "2010, 3 servers" --version 2010 --servers 3 --messages-per-day 800 --seed 12
check "2013, 2 servers, 2 days" --version 2013 --servers 2 --messages-per-day 500 --days 2 --seed 13
check "2007, 1 server" --version 2007 --servers 1 --messages-per-day 500 --seed 14
check "2016, 16 servers" --version 2016 --servers 16 --messages-per-day 600 --seed 22
echo "trace: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
