#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_report_search.py MAILTRAIL ORG -- the report's numbers against
`search --count` on the same logs.

Only numbers that docs/report.md and lib/analysis/report.c define as a count
of tracking events that search's own filters select are compared, so the two
must agree exactly:

  totals.events       every event of the window        search --count
  events[X].count     events whose event-id is X       search --event-id X
  totals.ndrs         DSN events                       search --event-id DSN
  servers[S].events   events logged by server S        search --server S
  next_hops: sends    SEND and SENDEXTERNAL events     search --event-id SEND
    (summed)          (every one has a row; the table     + --event-id SENDEXTERNAL
                      is not cut at --top)
  traffic/hourly      DSN events of that day / hour    search --event-id DSN
    .ndrs                                              --start --end

each over the whole logs, per UTC day window and per server (report
--server); totals.events per hour window too. The other columns (received, delivered,
failed, deferral_events, ...) count messages or recipients, which no search
count equals. Top senders count received messages (one per message id, at
its first SUBMIT, outside SMTP RECEIVE or STOREDRIVER RECEIVE) and so are
only bounded: each such message has its own SUBMIT or RECEIVE event with
that sender. Prints one line per group, then "report-search: N passed,
M failed".
"""
import datetime
import json
import os
import re
import subprocess
import sys

BIN, ORG = sys.argv[1], sys.argv[2]
# the report's day and hour buckets are UTC; search would read a zone-less
# time in the machine's zone
ENV = dict(os.environ, TZ="UTC")
DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)
passed = failed = 0


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=ENV)
    # 1 is "nothing in the window" for both commands, not an error
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)}: exit {p.returncode}: {p.stderr[-400:]}")
    return p.stdout


def count(*filters):
    return int(run("search", "--logs", ORG, "--count", *filters))


def report(*args):
    return json.loads(run("report", "--logs", ORG, "--format", "json", *args))


def utc(s, fmt):
    return datetime.datetime.strptime(s, fmt).replace(tzinfo=datetime.timezone.utc)


def window(t, length):
    return ["--start", t.strftime("%Y-%m-%dT%H:%M:%SZ"), "--end", (t + length).strftime("%Y-%m-%dT%H:%M:%SZ")]


def group(name, checks):
    """checks: (what, report's number, search's number[, "<="])."""
    global passed, failed
    bad = [f"{c[0]}: report {c[1]} {'>' if c[3:] else '!='} search {c[2]}"
           for c in checks if not (c[1] <= c[2] if c[3:] else c[1] == c[2])]
    passed += len(checks) - len(bad)
    failed += len(bad)
    print(f"{name}: {len(checks) - len(bad)}/{len(checks)} agree" + ("; " + "; ".join(bad) if bad else ""))


def by_key_ci(rows, key, val):
    # search matches event ids and servers case-insensitively, the report keys them exactly
    out = {}
    for row in rows:
        k = row[key].lower()
        out[k] = out.get(k, 0) + row[val]
    return out


def window_checks(name, rep, filt):
    """The event counts of one report against search with the same filters."""
    total = count(*filt)
    checks = [("events", rep["totals"]["events"], total),
              ("ndrs", rep["totals"]["ndrs"], count(*filt, "--event-id", "DSN"))]
    # each row against search filtered by its key; a key the report left out shows as
    # search's total exceeding the sum over the listed keys
    for rows, key, val, option, what in ((rep["events"], "event_id", "count", "--event-id", "ids"),
                                         (rep["servers"], "server", "events", "--server", "servers")):
        listed = 0
        for k, n in sorted(by_key_ci(rows, key, val).items()):
            c = count(*filt, option, k)
            listed += c
            checks.append((f"{option[2:]} {k}", n, c))
        checks.append((f"search's events of the report's {what}", listed, total))
    sends = count(*filt, "--event-id", "SEND") + count(*filt, "--event-id", "SENDEXTERNAL")
    checks.append(("next_hops sends", sum(h["sends"] for h in rep["next_hops"]), sends))
    group(name, checks)


full = report()
window_checks("whole logs", full, [])

# the days and hours that hold events, as search sees them: the traffic
# table has rows only where something was received, delivered, ... and the
# logs may start and end anywhere
# (read as text: the rest of a line need not be valid JSON, see "total_bytes":0042)
stamps = set(re.findall(r'^\{"timestamp":"([^"]*)"',
                        run("search", "--logs", ORG, "--format", "json", "--result-size", "unlimited"), re.M))
days = sorted({utc(t[:10], "%Y-%m-%d") for t in stamps if t})
hours = sorted({utc(t[:13], "%Y-%m-%dT%H") for t in stamps if t})

for d in days:
    window_checks(f"day {d:%Y-%m-%d}", report(*window(d, DAY)), window(d, DAY))
for srv in sorted(r["server"] for r in full["servers"]):
    window_checks(f"server {srv}", report("--server", srv), ["--server", srv])


def dsn_in(buckets, length):
    return {t: count("--event-id", "DSN", *window(t, length)) for t in buckets}


def per_bucket(rows, key, fmt, want):
    """The ndrs of a traffic table against search's DSN count in each bucket that holds events."""
    got = {r[key]: r["ndrs"] for r in rows}
    checks = [(f"ndrs {t:{fmt}}", got.pop(f"{t:{fmt}}", 0), n) for t, n in want.items()]
    return checks + [(f"ndrs {k}, when search finds no event", v, "no row") for k, v in got.items()]


dsn_hours = dsn_in(hours, HOUR)
group("traffic per day", per_bucket(full["traffic"], "day", "%Y-%m-%d", dsn_in(days, DAY)))
group("traffic per hour", per_bucket(report("--by", "hour", "--section", "traffic")["traffic"], "hour",
                                     "%Y-%m-%d %H:%M", dsn_hours))
group("hourly", [(f"ndrs {r['hour_of_day']}h", r["ndrs"],
                  sum(n for t, n in dsn_hours.items() if t.hour == int(r["hour_of_day"]))) for r in full["hourly"]])
group("hour windows", [(f"events {t:%Y-%m-%d %H}h", report(*window(t, HOUR), "--section", "totals")["totals"]["events"],
                        count(*window(t, HOUR))) for t in hours])

# a bound, not an equality (see above); the top 5 keep the test fast
group("top senders (<= their SUBMIT + RECEIVE events)",
      [(s["sender"], s["messages"],
        count("--sender", s["sender"], "--event-id", "SUBMIT") + count("--sender", s["sender"], "--event-id", "RECEIVE"),
        "<=") for s in full["senders_by_count"][:5]])

print(f"report-search: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
