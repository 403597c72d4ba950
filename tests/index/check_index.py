#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_index.py MAILTRAIL -- the index against the files it was made from.

Every scenario builds logs with `mailtrail gen` (synthetic), indexes them in
some hostile way (in pieces, killed at random moments, with files renamed,
rewritten, deleted, or a database damaged) and then asks the same question of
the index (--db) and of the files (--logs): the answers must be byte for byte
the same, and the index must hold each line exactly once.
"""
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
ENV = dict(os.environ, TZ="UTC")
passed = failed = 0


def run(*args, check=True):
    p = subprocess.run([BIN, *args], capture_output=True, env=ENV)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.decode()[-500:]}")
    return p


def sql(db, q):
    p = run("sql", "--db", db, "--format", "csv", q)
    lines = p.stdout.decode().splitlines()
    return lines[1:] if lines else []


def scalar(db, q):
    return int(sql(db, q)[0])


def shown(p):
    return [l for l in p.stderr.decode().splitlines() if "showing the first" in l]


def same(name, logs, db, *args):
    a = run(*args, "--logs", logs)
    b = run(*args, "--db", db)
    if a.stdout != b.stdout or a.returncode != b.returncode:
        raise AssertionError(f"{name}: --db differs from --logs (exit {a.returncode}/{b.returncode}, "
                             f"{len(a.stdout)}/{len(b.stdout)} bytes)")
    if shown(a) != shown(b):   # "showing the first N of M": the total too
        raise AssertionError(f"{name}: --db says {shown(b)}, --logs says {shown(a)}")
    return a


def no_duplicates(db):
    d = scalar(db, "SELECT count(*) FROM (SELECT file, line FROM events GROUP BY file, line HAVING count(*) > 1)")
    s = scalar(db, "SELECT count(*) FROM (SELECT file, line FROM smtp_lines GROUP BY file, line HAVING count(*) > 1)")
    if d or s:
        raise AssertionError(f"duplicated lines in the index: {d} events, {s} protocol-log lines")


def full_compare(logs, db):
    same("search", logs, db, "search", "--format", "json", "--result-size", "unlimited")
    same("sessions", logs, db, "sessions", "--format", "json")
    no_duplicates(db)


def scenario(name, fn):
    global passed, failed
    tmp = tempfile.mkdtemp(prefix="mt_index_")
    try:
        detail = fn(tmp)
        print(f"ok: {name}{': ' + detail if detail else ''}")
        passed += 1
    except AssertionError as e:
        print(f"FAILED: {name}: {e}", file=sys.stderr)
        failed += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def gen(tmp, *extra):
    out = os.path.join(tmp, "org")
    run("gen", "--out", out, *extra)
    return out


def tracking_files(root):
    for d, _, fs in os.walk(root):
        for f in sorted(fs):
            if f.upper().endswith(".LOG"):
                yield os.path.join(d, f)


def sql_rows(db, *args):
    p = run("sql", "--db", db, "--format", "json", *args)
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def named_like_report(db, *win):
    """The named queries that restate a report number give report's numbers
    (docs/index.md): top-recipients its recipients_by_count, whole (delivered
    and relayed out, recipients counted, bytes); slowest-deliveries its
    tracked latency (count, percentiles, max, within the SLA), measured from
    the message's first event in the window. Returns the rows compared;
    both are checked before either's difference is raised."""
    rep = json.loads(run("report", "--db", db, "--format", "json", "--section", "recipients,latency",
                         "--top", "1000000", "--sla", "2s", *win).stdout)
    want = [(r["recipient"], r["recipients"], r["bytes"]) for r in rep["recipients_by_count"]]
    got = [(r.get("recipient"), r.get("recipients"), r.get("bytes")) for r in sql_rows(db, "top-recipients", *win)]
    bad = []
    if got != want:
        diff = [w for w in want if w not in got][:3] + [g for g in got if g not in want][:3]
        bad.append(f"sql top-recipients {' '.join(win)}: {len(got)} rows, report {len(want)}; "
                   f"first differences {diff}")
    ms = sorted(round(r["seconds"] * 1000) for r in sql_rows(db, "slowest-deliveries", *win))
    rank = lambda p: ms[max(0, -(-p * len(ms) // 100) - 1)] if ms else None
    got = {"count": len(ms), "p50_ms": rank(50), "p90_ms": rank(90), "p99_ms": rank(99),
           "max_ms": ms[-1] if ms else None, "within_sla": sum(v <= 2000 for v in ms)}
    tracked = next(r for r in rep["latency"] if r["latency"] == "tracked")
    want = {k: tracked[k] for k in got}
    if tracked["sampled"] != tracked["count"]:
        bad.append(f"report sampled {tracked['sampled']} of {tracked['count']}: percentiles not exact")
    if got != want:
        bad.append(f"sql slowest-deliveries {' '.join(win)}: {got}, report's tracked latency {want}")
    if bad:
        raise AssertionError("; ".join(bad))
    return len(ms)


def more_like_report(db, *win):
    """The other named queries that restate a report section give its
    numbers (docs/index.md): top-senders its senders_by_count and _by_size,
    ndr-by-code its failures (with the first status as example),
    messages-per-hour its traffic --by hour, largest-messages its large
    list (with its time and server), and, per server (report --server) and
    summed over the servers, event-counts its events (in its order) and
    connector-volume its connectors. Returns the rows compared; every query
    is checked before any difference is raised."""
    rep = lambda *a: json.loads(run("report", "--db", db, "--format", "json", "--top", "1000000", *a, *win).stdout)
    r = rep("--section", "senders,failures,traffic,sizes,hops,events", "--by", "hour", "--large", "1")
    bad, n = [], 0

    def compare(name, got, want):
        nonlocal n
        n += len(want)
        if got != want:
            g, w = (sorted(x.items(), key=repr) if isinstance(x, dict) else x for x in (got, want))
            diff = [x for x in w if x not in g][:2] + [x for x in g if x not in w][:2]
            if not diff:   # the same rows in another order: where it starts
                i = next(i for i, (a, b) in enumerate(zip(g, w)) if a != b)
                diff = f"none; row {i} is {g[i]}, report's {w[i]}"
            bad.append(f"sql {name} {' '.join(win)}: {len(g)} rows, report {len(w)}; first differences {diff}")

    want = sorted({(s["sender"], s["messages"], s["bytes"]) for s in r["senders_by_count"] + r["senders_by_size"]})
    compare("top-senders", sorted((x.get("sender"), x.get("messages"), x.get("bytes"))
                                  for x in sql_rows(db, "top-senders", *win)), want)
    compare("ndr-by-code", [(x.get("code"), x.get("recipients"), x.get("example")) for x in sql_rows(db, "ndr-by-code", *win)],
            [(f["status"], f["recipients"], f["example"]) for f in r["failures"]])
    # report's hours are "2016-08-27 10:00" (UTC here), sql's "2016-08-27T10:00Z";
    # an hour that received nothing is a row of report's only
    compare("messages-per-hour", {x.get("hour"): (x.get("messages"), x.get("bytes"))
                                  for x in sql_rows(db, "messages-per-hour", *win)},
            {t["hour"].replace(" ", "T") + "Z": (t["received"], t["bytes"]) for t in r["traffic"]
             if t["received"] or t["bytes"]})
    # time and server are the sizing event's in both (report's --tz is UTC here)
    cols = ("message_id", "bytes", "time", "sender", "server", "subject")
    compare("largest-messages", [tuple(x.get(c) for c in cols) for x in sql_rows(db, "largest-messages", "--limit", "20", *win)],
            [tuple(l[c] for c in cols) for l in r["large_messages"]])

    def events(rows, server):
        """(event id, count) in report's order: one server's rows as sql
        orders them; summed over the servers, by count and then the id's
        bytes, as report ranks them (by_val_desc)."""
        if server is not None:
            return [(x.get("event_id"), x.get("events")) for x in rows]
        out = {}
        for x in rows:
            out[x.get("event_id")] = out.get(x.get("event_id"), 0) + x.get("events", 0)
        return sorted(out.items(), key=lambda kv: (-kv[1], kv[0].encode()))

    def connectors(rows):
        out = {}
        for x in rows:
            k = x.get("connector_id")
            v = out.setdefault(k, [0, 0, 0])
            v[0 if str(x.get("event_id")).upper() == "RECEIVE" else 1] += x.get("events", 0)
            v[2] += x.get("bytes") or 0
        return {k: tuple(v) for k, v in out.items()}

    servers = [s.strip('"') for s in sql(db, "SELECT DISTINCT server FROM files WHERE kind = 'msgtrk' ORDER BY 1")]
    ev, cv = sql_rows(db, "event-counts", *win), sql_rows(db, "connector-volume", *win)
    for server, rs in [(None, r)] + [(s, rep("--section", "hops,events", "--server", s)) for s in servers]:
        mine = lambda rows: [x for x in rows if server is None or x.get("server") == server]
        at = f" (server {server})" if server else ""
        compare("event-counts" + at, events(mine(ev), server), [(e["event_id"], e["count"]) for e in rs["events"]])
        compare("connector-volume" + at, connectors(mine(cv)),
                {c["connector"]: (c["receive_events"], c["send_events"], c["bytes"]) for c in rs["connectors"]})
    if bad:
        raise AssertionError("; ".join(bad))
    return n


def same_answers(tmp):
    logs = gen(tmp, "--version", "2016", "--servers", "2", "--messages-per-day", "600", "--days", "2", "--seed", "21")
    db = os.path.join(tmp, "i.db")
    run("index", "--db", db, "--logs", logs, "--quiet")
    full_compare(logs, db)
    events = scalar(db, "SELECT count(*) FROM events")
    mid = sql(db, "SELECT message_id FROM tracking WHERE event_id = 'DELIVER' LIMIT 1 OFFSET 7")[0]
    sender = sql(db, "SELECT sender FROM tracking WHERE event_id = 'RECEIVE' LIMIT 1 OFFSET 3")[0]
    rcpt = sql(db, "SELECT recipient FROM recipients WHERE event_id = 'DELIVER' LIMIT 1 OFFSET 5")[0]
    sess = sql(db, "SELECT session_id FROM smtp WHERE direction = 'receive' LIMIT 1 OFFSET 100")[0]
    for fmt in ("json", "csv", "table", "list"):
        same(f"search {fmt}", logs, db, "search", "--format", fmt)
    same("message-id", logs, db, "search", "--message-id", mid.strip('"'), "--format", "json")
    same("sender", logs, db, "search", "--sender", sender.upper(), "--format", "json")
    same("recipient", logs, db, "search", "--recipients", rcpt, "--format", "csv")
    same("window", logs, db, "search", "--start", "2016-08-27T10:00", "--end", "2016-08-27T13:30", "--format", "csv")
    same("event and server", logs, db, "search", "--event-id", "fail", "--server", "EX13-1", "--format", "json")
    same("server, first 9", logs, db, "search", "--server", "ex13-2", "--result-size", "9", "--format", "csv")
    same("servers, count", logs, db, "search", "--server", "EX13-2", "--server", "ex13-1", "--event-id", "DELIVER",
         "--count")
    same("subject", logs, db, "search", "--message-subject", "re:", "--format", "csv", "--result-size", "50")
    same("count", logs, db, "search", "--count", "--source", "STOREDRIVER")
    # filters SQL answers exactly: counted in SQL, only the first events read
    busy = sql(db, "SELECT sender FROM tracking WHERE sender <> '' GROUP BY sender ORDER BY count(*) DESC LIMIT 1")[0]
    same("sender, first 7", logs, db, "search", "--sender", busy.upper(), "--result-size", "7", "--format", "json")
    same("sender, count", logs, db, "search", "--sender", busy, "--count")
    same("no such sender", logs, db, "search", "--sender", "nobody@nowhere.example", "--count")
    busy_rcpt = sql(db, "SELECT recipient FROM recipients WHERE recipient <> '' GROUP BY recipient "
                        "ORDER BY count(*) DESC LIMIT 1")[0]
    same("recipient, first 5", logs, db, "search", "--recipients", busy_rcpt.upper(), "--result-size", "5",
         "--format", "csv")
    same("recipient, count", logs, db, "search", "--recipients", busy_rcpt, "--count")
    same("event in a window, first 40", logs, db, "search", "--event-id", "deliver", "--start", "2016-08-27T10:00",
         "--end", "2016-08-28T02:00", "--result-size", "40", "--format", "csv")
    same("event in a window, count", logs, db, "search", "--event-id", "SEND", "--start", "2016-08-27T10:00",
         "--end", "2016-08-28T02:00", "--count")
    if not shown(run("search", "--sender", busy, "--result-size", "7", "--logs", logs)):
        raise AssertionError(f"sender {busy} has too few events to test a cut-off list")
    if not shown(run("search", "--recipients", busy_rcpt, "--result-size", "5", "--logs", logs)):
        raise AssertionError(f"recipient {busy_rcpt} has too few events to test a cut-off list")
    same("session", logs, db, "session", sess)
    same("send sessions", logs, db, "search", "--event-id", "SEND", "--session-links", "--result-size", "unlimited",
         "--format", "json")
    same("backpressure", logs, db, "backpressure", "--format", "json")
    same("report", logs, db, "report", "--format", "json")
    same("flows", logs, db, "flows", "--format", "json")
    same("pending", logs, db, "pending", "--format", "json")
    same("trace", logs, db, "trace", mid.strip('"'), "--format", "json")
    same("trace all", logs, db, "trace", "--all", "--format", "json")
    # a window cutting messages at both ends: each taken whole, from either
    win = ("--start", "2016-08-27T10:00", "--end", "2016-08-28T02:00")
    same("flows window", logs, db, "flows", "--format", "json", *win)
    same("pending window", logs, db, "pending", "--format", "json", *win)
    same("trace all window", logs, db, "trace", "--all", "--format", "json", *win)
    # sql's named queries against report over the same index: whole, in a
    # window that cuts messages (entered before it, delivered in it), and
    # one server's logs alone (what is ours, from what one DAG member says)
    named = named_like_report(db) + named_like_report(db, *win)
    one = os.path.join(tmp, "one.db")
    run("index", "--db", one, "--logs", "EX13-2=" + os.path.join(logs, "EX13-2"), "--quiet")
    named += named_like_report(one) + named_like_report(one, *win)
    rows = sum(more_like_report(d, *w) for d in (db, one) for w in ((), win))
    return (f"{events} events, 29 questions answered alike, {named} deliveries timed by sql as by report, "
            f"{rows} rows of report's restated by sql")


def projection(tmp):
    """report, flows and pending ask the index for the fields they read only
    (struct mt_query.fields); with MAILTRAIL_POISON_UNREAD the index fills
    every other field with bytes that cannot be read, so a field read outside
    the mask crashes the command (or changes its answer)."""
    global ENV
    asked = 0
    for version, servers, per_day in (("2016", "3", "700"), ("2010", "2", "300")):
        logs = gen(tmp, "--version", version, "--servers", servers, "--messages-per-day", per_day, "--days", "2",
                   "--seed", "5")
        db = os.path.join(tmp, f"p{version}.db")
        run("index", "--db", db, "--logs", logs, "--quiet")
        plain = ENV
        ENV = dict(plain, MAILTRAIL_POISON_UNREAD="1")
        try:
            for fmt in ("json", "text"):
                same(f"report {fmt} {version}", logs, db, "report", "--format", fmt, "--large", "10K", "--top", "50")
            same(f"report by hour {version}", logs, db, "report", "--format", "csv", "--by", "hour", "--server",
                 "EX13-1", "--start", "2016-08-27T09:00", "--end", "2016-08-28T15:00")
            for fmt in ("json", "table"):
                same(f"flows {fmt} {version}", logs, db, "flows", "--format", fmt)
                same(f"pending {fmt} {version}", logs, db, "pending", "--format", fmt)
            same(f"flows window {version}", logs, db, "flows", "--format", "json", "--start", "2016-08-27T20:00")
            asked += 8
        finally:
            ENV = plain
        shutil.rmtree(logs)
    return f"{asked} answers alike with the fields left out unreadable"


def in_pieces(tmp):
    """Files indexed while they are written: cut at random bytes (mid-line)."""
    logs = gen(tmp, "--version", "2013", "--servers", "2", "--messages-per-day", "400", "--seed", "22")
    full = {p: open(p, "rb").read() for p in tracking_files(logs)}
    rnd = random.Random(5)
    cuts = {p: sorted(rnd.sample(range(1, max(2, len(b))), min(3, max(1, len(b) - 1)))) for p, b in full.items()}
    db = os.path.join(tmp, "i.db")
    for step in range(4):
        for p, b in full.items():
            end = cuts[p][step] if step < len(cuts[p]) else len(b)
            with open(p, "wb") as f:
                f.write(b[:end])
        run("index", "--db", db, "--logs", logs, "--quiet", "--batch-size", "8k")
    full_compare(logs, db)
    return f"{len(full)} files written in 4 pieces, cut mid-line"


def killed(tmp):
    """kill -9 at random moments; each run resumes; exact at the end."""
    logs = gen(tmp, "--version", "2016", "--servers", "2", "--messages-per-day", "1500", "--seed", "23")
    db = os.path.join(tmp, "i.db")
    rnd = random.Random(7)
    kills = runs = 0
    while True:
        runs += 1
        p = subprocess.Popen([BIN, "index", "--db", db, "--logs", logs, "--quiet", "--batch-size", "32k"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        delay = rnd.uniform(0.005, 0.25)
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            kills += 1
            continue
        if p.returncode != 0:
            raise AssertionError(f"index exited {p.returncode}: {p.stderr.read().decode()[-400:]}")
        if kills >= 50 or runs > 400:
            break
        # finished before being killed: start again from nothing to collect more kill points
        if kills < 50:
            full_compare(logs, db)
            os.remove(db)
            for s in ("-wal", "-shm"):
                if os.path.exists(db + s):
                    os.remove(db + s)
    full_compare(logs, db)
    n = int(run("search", "--count", "--logs", logs).stdout)
    got = scalar(db, "SELECT count(*) FROM events")
    if n != got:
        raise AssertionError(f"{got} events in the index, {n} in the logs")
    if kills < 50:
        raise AssertionError(f"only {kills} kills")
    return f"{kills} kills in {runs} runs, {got} events, none twice"


def files_change(tmp):
    logs = gen(tmp, "--version", "2010", "--servers", "2", "--messages-per-day", "300", "--days", "3", "--seed", "24")
    db = os.path.join(tmp, "i.db")
    run("index", "--db", db, "--logs", logs, "--quiet")
    files = [p for p in tracking_files(logs) if "MessageTracking" in p]
    # renamed: same inode, new name -> continued, not read twice
    a = files[0]
    os.rename(a, a + ".old.LOG")
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if "1 renamed" not in out:
        raise AssertionError(f"rename not noticed: {out}")
    full_compare(logs, db)
    # rewritten in place with other content -> replaced, read again
    b = files[1]
    data = open(b, "rb").read()
    head, body = data.split(b"\n#Fields", 1)[0], data
    lines = body.split(b"\n")
    open(b, "wb").write(b"\n".join(lines[:len(lines) // 2]) + b"\n")
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if "1 replaced" not in out:
        raise AssertionError(f"truncation not noticed: {out}")
    full_compare(logs, db)
    # deleted -> noticed, its records kept
    c = files[2]
    before = scalar(db, "SELECT count(*) FROM events")
    os.remove(c)
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if "1 gone" not in out or scalar(db, "SELECT count(*) FROM events") != before:
        raise AssertionError(f"deletion: {out}")
    del head
    return "renamed, truncated, deleted"


def copied_and_cut(tmp):
    """logrotate's copytruncate (copy, then cut the live file short in place) and a
    move to another file system (copy, then remove): the copy continues from the
    offset kept, the cut file starts again, no line is read twice."""
    lines = [l for l in open(os.path.join(DATA, "postfix", "postfix.log"), "rb").read().split(b"\n") if l]
    k, m = len(lines) // 3, 2 * len(lines) // 3
    done = []
    for copy_name in ("maillog.1", "amaillog.copy"):   # the copy read after the live file, and before it
        mx = os.path.join(tmp, copy_name, "mx")
        os.makedirs(mx)
        live = os.path.join(mx, "maillog")
        db = os.path.join(tmp, copy_name, "i.db")
        open(live, "wb").write(b"\n".join(lines[:k]) + b"\n")
        run("index", "--db", db, "--logs", "smarthost=" + mx, "--quiet")
        with open(live, "ab") as f:
            f.write(b"\n".join(lines[k:m]) + b"\n")
        shutil.copy(live, os.path.join(mx, copy_name))
        with open(live, "r+b") as f:
            f.truncate(0)
        with open(live, "ab") as f:
            f.write(b"\n".join(lines[m:]) + b"\n")
        out = run("index", "--db", db, "--logs", "smarthost=" + mx).stdout.decode()
        added = int(re.search(r"(\d+) Postfix lines", out).group(1))
        total = scalar(db, "SELECT count(*) FROM postfix_lines")
        if total != len(lines) or added != len(lines) - k or "replaced" in out.replace("0 replaced", ""):
            raise AssertionError(f"copytruncate, copy {copy_name}: {total} lines kept of {len(lines)}, "
                                 f"{added} added (want {len(lines) - k}): {out}")
        done.append(copy_name)
    # a tracking log moved to another folder by copy and remove: continued, not read again
    logs = gen(tmp, "--version", "2013", "--servers", "1", "--messages-per-day", "200", "--days", "2", "--seed", "41")
    db = os.path.join(tmp, "t.db")
    run("index", "--db", db, "--logs", logs, "--quiet")
    before = scalar(db, "SELECT count(*) FROM events")
    a = [p for p in tracking_files(logs) if "MessageTracking" in p][0]
    archive = os.path.join(os.path.dirname(a), "archive")
    os.makedirs(archive)
    shutil.copy(a, os.path.join(archive, os.path.basename(a)))
    os.remove(a)
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if scalar(db, "SELECT count(*) FROM events") != before or "1 renamed" not in out or "0 new" not in out:
        raise AssertionError(f"a log copied elsewhere and removed was read again: {out}")
    full_compare(logs, db)
    return f"copytruncate with the copy read after and before the live file; a copy-and-remove move"


def rotated_away(tmp):
    """A file rotated where the run does not look (renamed over the next one,
    given alone as NAME=FILE, cut in place with its copy elsewhere) keeps its
    records: history, as for a file gone. A file given under a new server
    name answers to it."""
    logs = gen(tmp, "--version", "2016", "--servers", "1", "--messages-per-day", "300", "--days", "1", "--seed", "7")
    pf = [l for l in open(os.path.join(logs, "smarthost", "maillog"), "rb").read().split(b"\n") if l]
    mx = os.path.join(tmp, "mx", "smarthost")
    os.makedirs(mx)
    w = lambda p, ls: open(p, "wb").write(b"\n".join(ls) + b"\n")
    w(os.path.join(mx, "maillog.1"), pf[:100])
    w(os.path.join(mx, "maillog"), pf[100:200])
    db = os.path.join(tmp, "a.db")
    run("index", "--db", db, "--logs", os.path.join(tmp, "mx"), "--quiet")
    os.rename(os.path.join(mx, "maillog"), os.path.join(mx, "maillog.1"))    # rotate 1: the oldest dropped
    w(os.path.join(mx, "maillog"), pf[200:250])
    run("index", "--db", db, "--logs", os.path.join(tmp, "mx"), "--quiet")
    n = scalar(db, "SELECT count(*) FROM postfix_lines")
    if n != 250:
        raise AssertionError(f"rotate 1: {n} Postfix lines kept, want 250 (the dropped file's were deleted)")
    mid = re.search(rb"message-id=(<[^>]*>)", b"\n".join(pf[:100])).group(1).decode()
    if b"no event" in run("trace", mid, "--db", db).stderr:
        raise AssertionError(f"rotate 1: {mid} of the dropped file no longer traced")
    # a tracking log named alone, renamed away, a new one made at its name
    t = [p for p in tracking_files(logs) if "MessageTracking" in p][0]
    lines = open(t, "rb").read().split(b"\n")
    b = os.path.join(tmp, "b")
    os.makedirs(b)
    live = os.path.join(b, "MSGTRK.LOG")
    open(live, "wb").write(b"\n".join(lines[:200]) + b"\n")
    db = os.path.join(tmp, "b.db")
    run("index", "--db", db, "--logs", "EX13-1=" + live, "--quiet")
    before = scalar(db, "SELECT count(*) FROM events")
    os.rename(live, live + ".old")
    open(live, "wb").write(b"\n".join(lines[:5] + lines[200:250]) + b"\n")
    run("index", "--db", db, "--logs", "EX13-1=" + live, "--quiet")
    after = scalar(db, "SELECT count(*) FROM events")
    if after != before + 50:
        raise AssertionError(f"NAME=FILE renamed away: {after} events, want {before} + 50")
    no_duplicates(db)
    # copytruncate with only the live file named
    c = os.path.join(tmp, "c")
    os.makedirs(c)
    w(os.path.join(c, "maillog"), pf[:300])
    db = os.path.join(tmp, "c.db")
    run("index", "--db", db, "--logs", "smarthost=" + os.path.join(c, "maillog"), "--quiet")
    shutil.copy(os.path.join(c, "maillog"), os.path.join(c, "maillog.1"))
    w(os.path.join(c, "maillog"), pf[300:350])
    run("index", "--db", db, "--logs", "smarthost=" + os.path.join(c, "maillog"), "--quiet")
    n = scalar(db, "SELECT count(*) FROM postfix_lines")
    if n != 350:
        raise AssertionError(f"copytruncate, live file alone: {n} Postfix lines, want 350")
    # a server name given anew: unchanged files too answer to it
    db = os.path.join(tmp, "d.db")
    srv = os.path.join(logs, "EX13-1")
    run("index", "--db", db, "--logs", "SRVX=" + srv, "--quiet")
    run("index", "--db", db, "--logs", logs, "--quiet")
    names = sql(db, "SELECT DISTINCT server FROM files WHERE path LIKE '%MessageTracking%'")
    if names != ["EX13-1"]:
        raise AssertionError(f"files given under a new server name kept the old one: {names}")
    same("search --server EX13-1", logs, db, "search", "--server", "EX13-1", "--format", "csv", "--result-size", "unlimited")
    return "rotate 1, NAME=FILE renamed away, copytruncate of a lone file: history kept; a server renamed"


def compressed_later(tmp):
    """A log compressed after it was indexed (gzip, logrotate's compress) is the same file: continued, not read twice."""
    import gzip as gz
    logs = gen(tmp, "--version", "2016", "--servers", "1", "--messages-per-day", "300", "--days", "3", "--seed", "31")
    db = os.path.join(tmp, "i.db")
    files = [p for p in tracking_files(logs) if "MessageTracking" in p]
    a, b = files[0], files[1]
    whole = open(a, "rb").read()
    open(a, "wb").write(whole[:len(whole) // 2])       # half of it indexed, the rest written later
    run("index", "--db", db, "--logs", logs, "--quiet")
    open(a, "ab").write(whole[len(whole) // 2:])

    def gzip(p, keep=False):
        with open(p, "rb") as f, gz.open(p + ".gz", "wb") as g:
            g.write(f.read())
        if not keep:
            os.remove(p)
    gzip(a)
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if "1 renamed" not in out or "0 new" not in out:
        raise AssertionError(f"a compressed log not recognised: {out}")
    full_compare(logs, db)
    # a compressed copy next to the live plain file: not read; it takes over when the plain one goes
    before = scalar(db, "SELECT count(*) FROM events")
    gzip(b, keep=True)
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if scalar(db, "SELECT count(*) FROM events") != before or "0 new" not in out:
        raise AssertionError(f"a compressed copy was read as well: {out}")
    os.remove(b)
    out = run("index", "--db", db, "--logs", logs).stdout.decode()
    if "1 renamed" not in out or "0 gone" not in out:
        raise AssertionError(f"the copy did not take the plain file's place: {out}")
    full_compare(logs, db)
    # Postfix: maillog -> maillog.1 -> maillog.1.gz, across runs and within one
    mx = os.path.join(tmp, "mx")
    os.makedirs(mx)
    src = [open(os.path.join(DATA, "postfix", n), "rb").read() for n in ("postfix.log", "postfix-relay.log")]
    ml = os.path.join(mx, "maillog")
    pdb = os.path.join(tmp, "p.db")
    written = [src[0], src[1], src[0][src[0].index(b"\n", len(src[0]) // 2) + 1:]]   # three heads

    def expect(what):
        want = sum(x.count(b"\n") for x in what)
        got = scalar(pdb, "SELECT count(*) FROM postfix_lines")
        if got != want:
            raise AssertionError(f"{got} Postfix lines in the index, {want} in the files")
    open(ml, "wb").write(written[0])
    run("index", "--db", pdb, "--logs", "smarthost=" + mx, "--quiet")
    os.rename(ml, ml + ".1")
    open(ml, "wb").write(written[1])
    run("index", "--db", pdb, "--logs", "smarthost=" + mx, "--quiet")
    expect(written[:2])
    gzip(ml + ".1")
    out = run("index", "--db", pdb, "--logs", "smarthost=" + mx).stdout.decode()
    expect(written[:2])
    if "1 renamed" not in out:
        raise AssertionError(f"maillog.1.gz not recognised: {out}")
    os.rename(ml + ".1.gz", ml + ".2.gz")                # one interval: .1 -> .2.gz, maillog -> .1 -> .1.gz
    os.rename(ml, ml + ".1")
    gzip(ml + ".1")
    open(ml, "wb").write(written[2])
    run("index", "--db", pdb, "--logs", "smarthost=" + mx, "--quiet")
    expect(written)
    return "continued from the plain file's offset; a copy waits; Postfix rotations counted once"


def first_line_half_written(tmp):
    """A header-less log caught while its first line is half written is not classified from that part."""
    logs = gen(tmp, "--version", "2016", "--servers", "1", "--messages-per-day", "200", "--seed", "32")
    src = [p for p in tracking_files(logs) if "MessageTracking" in p][0]
    rows = b"".join(l for l in open(src, "rb").read().splitlines(True) if not l.lstrip(b"\xef\xbb\xbf").startswith(b"#"))
    d = os.path.join(tmp, "S")
    os.makedirs(d)
    dst = os.path.join(d, os.path.basename(src))
    db = os.path.join(tmp, "i.db")
    commas, q = [], False
    for i, c in enumerate(rows[:rows.index(b"\n")]):
        q = q != (c == ord('"'))
        if c == ord(",") and not q:
            commas.append(i)
    nine = commas[8]   # 8 commas outside quotes: the shape of a protocol-log row
    for cut in (30, nine, rows.index(b"\n") - 1):
        for f in (dst, db, db + "-wal", db + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        open(dst, "wb").write(rows[:cut])
        run("index", "--db", db, "--logs", d, "--quiet")
        open(dst, "ab").write(rows[cut:])
        run("index", "--db", db, "--logs", d, "--quiet")
        kind = sql(db, "SELECT kind FROM files")
        if kind != ["msgtrk"]:
            raise AssertionError(f"cut at {cut}: the file was taken for {kind}")
        full_compare(d, db)
    return "kind decided once the first line is whole"


def two_writers(tmp):
    """Two index runs on one database at once: one works, the other says so clearly; nothing is added twice."""
    logs = gen(tmp, "--version", "2016", "--servers", "2", "--messages-per-day", "1500", "--days", "2", "--seed", "33")
    refused = 0
    for attempt in range(4):
        db = os.path.join(tmp, f"i{attempt}.db")
        args = [BIN, "index", "--db", db, "--logs", logs, "--quiet", "--batch-size", "64k"]
        ps = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) for _ in range(2)]
        for p in ps:
            out, err = p.communicate()
            err = err.decode()
            if p.returncode == 0:
                continue
            if p.returncode != 4 or "another mailtrail" not in err:
                raise AssertionError(f"second writer: exit {p.returncode}: {err[-300:]}")
            refused += 1
        run("index", "--db", db, "--logs", logs, "--quiet")
        full_compare(logs, db)
    if not refused:
        raise AssertionError("the two writers never met")
    return f"{refused} of 4 second writers refused with a clear message, the index exact"


def damaged(tmp):
    logs = gen(tmp, "--version", "2019", "--servers", "1", "--messages-per-day", "300", "--seed", "25")
    db = os.path.join(tmp, "i.db")
    run("index", "--db", db, "--logs", logs, "--quiet")
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.truncate(size // 3)
    p = run("search", "--db", db, "--format", "json", check=False)
    q = run("index", "--db", db, "--logs", logs, check=False)
    for r in (p, q):
        if r.returncode != 3 or b"rebuild" not in r.stderr:
            raise AssertionError(f"damaged index: exit {r.returncode}, {r.stderr.decode()[-300:]}")
    run("index", "--db", db, "--logs", logs, "--rebuild", "--quiet")
    full_compare(logs, db)
    # damage inside: found by --check up front, or when a query reads it
    with open(db, "r+b") as f:
        f.seek(os.path.getsize(db) // 2)
        f.write(os.urandom(65536))
    r = run("index", "--db", db, "--stats", "--check", check=False)
    if r.returncode != 3 or b"rebuild" not in r.stderr:
        raise AssertionError(f"inner damage: exit {r.returncode}, {r.stderr.decode()[-300:]}")
    run("index", "--db", db, "--logs", logs, "--rebuild", "--quiet")
    full_compare(logs, db)
    # one page of events overwritten: every whole-window reader says so (report,
    # flows and pending crashed: their diagnostics got the scan's worker as user)
    page = int(sql(db, "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' LIMIT 1 OFFSET 5")[0])
    page_size = scalar(db, "PRAGMA page_size")
    with open(db, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\xff" * page_size)
    for cmd in ("search", "report", "flows", "pending", "trace --all"):
        r = run(*cmd.split(), "--db", db, "--format", "json", check=False)
        if r.returncode != 3 or b"rebuild" not in r.stderr:
            raise AssertionError(f"{cmd} on a damaged page: exit {r.returncode}, {r.stderr.decode()[-300:]}")
    run("index", "--db", db, "--logs", logs, "--rebuild", "--quiet")
    full_compare(logs, db)
    # one page of IIS lines: activesync --db said nothing and exited 3
    pages = sql(db, "SELECT pageno FROM dbstat WHERE name = 'iis_lines' AND pagetype = 'leaf' LIMIT 1 OFFSET 3")
    if not pages:
        raise AssertionError("no IIS lines in the generated index")
    with open(db, "r+b") as f:
        f.seek((int(pages[0]) - 1) * page_size)
        f.write(b"\xff" * page_size)
    os.makedirs(os.path.join(tmp, "eas"), exist_ok=True)
    r = run("activesync", "--db", db, "--output-path", os.path.join(tmp, "eas"), check=False)
    if r.returncode != 3 or b"rebuild" not in r.stderr:
        raise AssertionError(f"activesync on a damaged page: exit {r.returncode}, {r.stderr.decode()[-300:]}")
    run("index", "--db", db, "--logs", logs, "--rebuild", "--quiet")
    full_compare(logs, db)
    junk = os.path.join(tmp, "junk.db")
    open(junk, "wb").write(b"this is not a database\n" * 100)
    r = run("search", "--db", junk, check=False)
    if r.returncode != 3 or b"not a mailtrail index" not in r.stderr:
        raise AssertionError(f"junk file: exit {r.returncode}, {r.stderr.decode()[-300:]}")
    return "truncated database refused with advice, rebuilt; junk refused"


def retention(tmp):
    logs = gen(tmp, "--version", "2016", "--servers", "1", "--messages-per-day", "300", "--days", "2", "--seed", "26")
    db = os.path.join(tmp, "i.db")
    run("index", "--db", db, "--logs", logs, "--quiet")
    # the simulated days are in 2016: a 1-day maximum age empties the index ...
    run("index", "--db", db, "--logs", logs, "--quiet", "--max-age", "1d")
    if scalar(db, "SELECT count(*) FROM events") != 0:
        raise AssertionError("old events kept")
    # ... and the files still on disk are not read in again
    run("index", "--db", db, "--logs", logs, "--quiet")
    if scalar(db, "SELECT count(*) FROM events") != 0:
        raise AssertionError("expired events read in again")
    return "expired records removed, not read again"


def appender(tmp):
    """A writer appends to a live log while index runs again and again."""
    logs = gen(tmp, "--version", "2016", "--servers", "1", "--messages-per-day", "800", "--seed", "27")
    files = [p for p in tracking_files(logs) if "MessageTracking" in p]
    src = max(files, key=os.path.getsize)
    data = open(src, "rb").read()
    open(src, "wb").close()
    db = os.path.join(tmp, "i.db")
    copy = os.path.join(tmp, "source.bin")   # outside the logs: it would be indexed too
    open(copy, "wb").write(data)
    writer = subprocess.Popen([sys.executable, "-c", f"""
import random, time
data = open({copy!r}, 'rb').read()
r = random.Random(3); i = 0
with open({src!r}, 'ab', buffering=0) as f:
    while i < len(data):
        n = r.randint(1, 4000); f.write(data[i:i + n]); i += n; time.sleep(0.002)
"""])
    runs = 0
    while writer.poll() is None:
        run("index", "--db", db, "--logs", logs, "--quiet", "--batch-size", "16k")
        runs += 1
    run("index", "--db", db, "--logs", logs, "--quiet")
    full_compare(logs, db)
    return f"{runs} index runs while {len(data)} bytes were appended"


def tail_follows(tmp):
    """tail (with and without --db) while a writer appends and a new file appears."""
    logs = gen(tmp, "--version", "2016", "--servers", "1", "--messages-per-day", "600", "--seed", "28")
    files = [p for p in tracking_files(logs) if "MessageTracking" in p]
    src = max(files, key=os.path.getsize)
    data = open(src, "rb").read()
    copy = os.path.join(tmp, "source.bin")
    open(copy, "wb").write(data)
    open(src, "wb").write(data[:len(data) // 3])
    newfile = os.path.join(os.path.dirname(src), "MSGTRK20990101-1.LOG")
    db = os.path.join(tmp, "i.db")
    # output to files: a pipe nobody reads would stall the followers
    outfiles = [os.path.join(tmp, f"tail{k}.json") for k in range(2)]
    tails = [subprocess.Popen([BIN, "tail", "--logs", logs, "--format", "json", "--interval", "0.05", *extra],
                              stdout=open(outfiles[k], "wb"), stderr=subprocess.PIPE, env=ENV)
             for k, extra in enumerate(([], ["--db", db]))]
    time.sleep(0.5)
    r = random.Random(4)
    i = len(data) // 3
    with open(src, "ab", buffering=0) as f:
        while i < len(data):
            n = r.randint(1, 6000)
            f.write(data[i:i + n])
            i += n
            time.sleep(0.003)
    open(newfile, "wb").write(data)
    time.sleep(1.0)
    outs = []
    for t, name in zip(tails, outfiles):
        t.send_signal(signal.SIGINT)
        _, err = t.communicate(timeout=20)
        if t.returncode != 0:
            raise AssertionError(f"tail exited {t.returncode}: {err.decode()[-300:]}")
        outs.append(sorted(open(name, encoding="utf-8").read().splitlines()))
    # what tail should have printed: everything but the first third of src
    whole = sorted(run("search", "--logs", logs, "--format", "json", "--result-size", "unlimited").stdout.decode().splitlines())
    open(src, "wb").write(data[:len(data) // 3])
    os.remove(newfile)
    before = sorted(run("search", "--logs", logs, "--format", "json", "--result-size", "unlimited").stdout.decode().splitlines())
    from collections import Counter
    want = sorted((Counter(whole) - Counter(before)).elements())
    for name, got in zip(("tail", "tail --db"), outs):
        if got != want:
            raise AssertionError(f"{name}: printed {len(got)} events, expected {len(want)}")
    open(src, "wb").write(data)
    open(newfile, "wb").write(data)
    same("search after tail --db", logs, db, "search", "--format", "json", "--result-size", "unlimited")
    return f"{len(want)} events followed by tail and tail --db, none lost or repeated"


def activesync_from_index(tmp):
    logs = gen(tmp, "--version", "2016", "--servers", "2", "--messages-per-day", "300", "--seed", "29")
    db = os.path.join(tmp, "i.db")
    run("index", "--db", db, "--logs", logs, "--quiet")
    iis = sorted(p for p in tracking_files(logs) if "W3SVC" in p)
    if not iis:
        raise AssertionError("no IIS logs generated")
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    os.mkdir(a)
    os.mkdir(b)
    run("activesync", "--use-gmt", "--output-path", a, *iis)
    run("activesync", "--use-gmt", "--output-path", b, "--db", db)
    for name in sorted(os.listdir(a)):
        if open(os.path.join(a, name), "rb").read() != open(os.path.join(b, name), "rb").read():
            raise AssertionError(f"{name} differs")
    return f"{len(os.listdir(a))} CSVs alike from {len(iis)} IIS logs"

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def message_ids(*roots):
    """Every message-id a Postfix log or a tracking log names."""
    ids = set()
    for root in roots:
        for d, _, fs in os.walk(root):
            for f in fs:
                t = open(os.path.join(d, f), "rb").read().decode("utf-8", "replace")
                ids.update(re.findall(r"message-id=(<[^>\s]*>)", t))
                ids.update(re.findall(r",(<[^>,\s]+@[^>,\s]+>),", t))
    return sorted(ids)


def same_traces(args, db, ids, *extra):
    for mid in ids:
        for fmt in ("text", "json", "dot"):
            a = run("trace", *args, *extra, mid, "--format", fmt, check=False)
            b = run("trace", "--db", db, *extra, mid, "--format", fmt, check=False)
            if a.stdout != b.stdout or a.returncode != b.returncode:
                raise AssertionError(f"trace {mid} {' '.join(extra)} --format {fmt}: --db differs from --logs "
                                     f"(exit {a.returncode}/{b.returncode}, {len(a.stdout)}/{len(b.stdout)} bytes)")
    return len(ids)


def pf_keys(db):
    return sql(db, "SELECT key, f.path, line, year FROM postfix_keys JOIN files f ON f.id = file ORDER BY 1, 2, 3")


def classic(t):
    """A classic syslog stamp: no year."""
    return time.strftime("%b %e %H:%M:%S", time.gmtime(t))


def older_copy(db, path, version, undo):
    """A copy of index db as an older schema would have it: undo is the SQL
    that takes away what came after that version."""
    shutil.copy(db, path)
    con = sqlite3.connect(path)
    con.executescript(undo + f"UPDATE meta SET value = {version} WHERE key = 'schema_version';"
                      f"PRAGMA user_version = {version};")
    con.close()
    return path


def postfix_traces(tmp):
    """A trace from the index reads only its message's Postfix lines (postfix_keys): the same answer as all of them."""
    n = 0
    # the real and hand-made Postfix fixtures, with and without a year given
    for logs, extra in ((["smarthost=" + os.path.join(DATA, "postfix")], ["--syslog-year", "2026"]),
                        (["smarthost=" + os.path.join(DATA, "postfix")], []),
                        ([os.path.join(DATA, "postfix-chain")], ["--syslog-year", "2016"]),
                        ([os.path.join(DATA, "seed"), os.path.join(DATA, "seed-smarthost")], [])):
        db = os.path.join(tmp, f"f{n}.db")
        args = [a for l in logs for a in ("--logs", l)]
        run("index", "--db", db, *args, "--quiet")
        n += same_traces(args, db, message_ids(*[l.split("=")[-1] for l in logs]), *extra)
    # a log whose classic stamps run from July over New Year: each line keeps
    # the running year it was read with (the messages in January are next year's)
    mx = os.path.join(tmp, "year", "mx1")
    os.makedirs(mx)
    t0 = time.mktime((2015, 7, 1, 9, 0, 0, 0, 0, 0)) - time.timezone
    lines = []
    for i, day in enumerate((0, 60, 150, 183, 184, 200)):
        t, q, mid = t0 + day * 86400, f"{0xA1000 + i:X}{i}0", f"<YEAR-{i}@mx1.example>"
        lines += [f"{classic(t)} mx1 postfix/smtpd[{100 + i}]: {q}: client=c.example[192.0.2.{i + 1}]",
                  f"{classic(t)} mx1 postfix/cleanup[{200 + i}]: {q}: message-id={mid}",
                  f"{classic(t + 1)} mx1 postfix/qmgr[300]: {q}: from=<a@example.test>, size={900 + i}, nrcpt=1 (queue active)",
                  f"{classic(t + 2)} mx1 postfix/smtp[{400 + i}]: {q}: to=<b@partner.example>, relay=mx.partner.example"
                  f"[198.51.100.7]:25, delay=2, delays=1/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F{i}E)",
                  f"{classic(t + 2)} mx1 postfix/qmgr[300]: {q}: removed",
                  f"{classic(t + 3)} mx1 kernel: an unrelated line"]
    with open(os.path.join(mx, "maillog"), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.utime(os.path.join(mx, "maillog"), (t0 + 201 * 86400, t0 + 201 * 86400))
    db = os.path.join(tmp, "year.db")
    run("index", "--db", db, "--logs", "smarthost=" + mx, "--quiet")
    ids = message_ids(mx)
    n += same_traces(["--logs", "smarthost=" + mx], db, ids)
    n += same_traces(["--logs", "smarthost=" + mx], db, ids, "--syslog-year", "2019")
    if "2016-01-" not in run("trace", "--db", db, "<YEAR-5@mx1.example>").stdout.decode():
        raise AssertionError("a January line after December was not read as the next year")
    # the same log indexed in two runs, the second starting in January: the
    # running year carries over in the file's row
    with open(os.path.join(mx, "maillog"), "w") as f:
        f.write("\n".join(lines[:24]) + "\n")
    db2 = os.path.join(tmp, "year2.db")
    run("index", "--db", db2, "--logs", "smarthost=" + mx, "--quiet")
    with open(os.path.join(mx, "maillog"), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.utime(os.path.join(mx, "maillog"), (t0 + 201 * 86400, t0 + 201 * 86400))
    run("index", "--db", db2, "--logs", "smarthost=" + mx, "--quiet")
    if pf_keys(db2) != pf_keys(db):
        raise AssertionError("a Postfix log indexed in two runs kept other years than one indexed at once")
    # a generated organisation's smart host log, indexed in three pieces cut
    # mid-line: the year and the keys carry over from run to run
    logs = gen(tmp, "--version", "2016", "--servers", "2", "--messages-per-day", "300", "--seed", "31")
    maillogs = sorted(os.path.join(d, f) for d, _, fs in os.walk(logs) for f in fs if f.startswith("maillog"))
    if not maillogs:
        raise AssertionError("no Postfix log generated")
    whole = os.path.join(tmp, "whole.db")
    run("index", "--db", whole, "--logs", logs, "--quiet")
    full = {p: open(p, "rb").read() for p in maillogs}
    db = os.path.join(tmp, "pieces.db")
    for frac in (0.31, 0.77, 1.0):
        for p, b in full.items():
            with open(p, "wb") as f:
                f.write(b[:int(len(b) * frac)])
        run("index", "--db", db, "--logs", logs, "--quiet", "--batch-size", "16k")
    if pf_keys(db) != pf_keys(whole):
        raise AssertionError("postfix_keys differ between an index made in pieces and one made at once")
    truth = [json.loads(l) for l in open(os.path.join(logs, "ground-truth.jsonl"))]
    via = [m["message_id"] for m in truth if "smarthost" in m.get("servers", [])]
    ids = via[:15] + via[-15:] + [m["message_id"] for m in truth[::97]]
    n += same_traces(["--logs", logs], db, ids)
    # an index of schema 2 (no postfix_keys) still answers, reading every
    # line; the next `index` adds the keys, the same as a new index has
    old = older_copy(whole, os.path.join(tmp, "old.db"), 2,
                     "DROP TABLE postfix_keys; UPDATE files SET header = NULL WHERE kind = 'postfix';")
    n += same_traces(["--logs", logs], old, ids[:5])
    run("index", "--db", old, "--logs", logs, "--quiet")
    if pf_keys(old) != pf_keys(whole) or not pf_keys(old):
        raise AssertionError("the schema 2 -> 3 upgrade made other postfix_keys than a new index")
    # schema 3 (no files_list) answers alike; the next `index` makes it 6 (the latest)
    three = older_copy(whole, os.path.join(tmp, "three.db"), 3, "DROP INDEX files_list;")
    n += same_traces(["--logs", logs], three, ids[:5])
    run("index", "--db", three, "--logs", logs, "--quiet")
    for path in (old, three):
        con = sqlite3.connect(path)
        version = con.execute("PRAGMA user_version").fetchone()[0]
        has_list = con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'files_list'").fetchone()[0]
        # schema 6's failures view (every kind report counts as failed)
        failures = con.execute("SELECT sql FROM sqlite_master WHERE name = 'failures'").fetchone()[0]
        con.close()
        if version != 6 or has_list != 1 or "MODERATIONEXPIRE" not in failures:
            raise AssertionError(f"{path}: upgraded to schema {version}, files_list {has_list}, failures {failures}")
    return f"{n} messages traced alike, in {len(full)} smart-host log(s) indexed in pieces and upgraded"


def main():
    for name, fn in (("same answers from --db and --logs", same_answers),
                     ("only the fields a scan reads", projection),
                     ("files indexed while written", in_pieces),
                     ("kill -9 during indexing", killed),
                     ("renamed, rewritten, deleted files", files_change),
                     ("compressed after indexing", compressed_later),
                     ("copied, then cut or removed", copied_and_cut),
                     ("rotated away, renamed servers", rotated_away),
                     ("first line half written", first_line_half_written),
                     ("two writers at once", two_writers),
                     ("damaged database", damaged),
                     ("retention", retention),
                     ("appending writer", appender),
                     ("tail follows live logs", tail_follows),
                     ("activesync from the index", activesync_from_index),
                     ("Postfix lines of one message", postfix_traces)):
        scenario(name, fn)
    print(f"index: {passed} passed, {failed} failed", file=sys.stderr)
    sys.exit(0 if failed == 0 and passed > 0 else 1)


main()
