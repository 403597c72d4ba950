#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check_ground_truth.py -- check `mailtrail gen` output against its ground truth.
#
# An independent reader: it knows nothing of the generator's memory, only the
# files. It parses every server's message tracking, SMTP receive/send and the
# smart host's maillog, then checks for each line of ground-truth.jsonl that
# the events found agree with the message's `servers` path and with each
# recipient's outcome, that hops are causally ordered, that RECEIVE rows point
# at real protocol-log sessions, that [InternalId=N, Hostname=H] names the
# next hop's row, and that smarthost_queue_id appears in the SEND reply and in
# the maillog. Each log file is also checked for shape (BOM, CRLF, column
# counts, time order). Usage: check_ground_truth.py DIR [-v]
# Last line: "N passed, M failed"; exit status 1 on any failure.

import csv
import glob
import io
import json
import os
import re
import sys
from collections import defaultdict

SMARTHOST_IP = "10.0.0.25"
FIELD_COUNTS = {"8.": 21, "14.": 26, "15.00.": 27, "15.01.": 30, "15.02.": 30}


def read_exchange_csv(path, problems):
    """Rows of an Exchange CSV log as dicts, checking its shape."""
    with open(path, "rb") as f:
        raw = f.read()
    name = os.path.relpath(path)
    if not raw.startswith(b"\xef\xbb\xbf"):
        problems.append(f"{name}: no UTF-8 BOM")
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if b"\n" in body.replace(b"\r\n", b""):
        problems.append(f"{name}: a line does not end in CRLF")
    if len(raw) > 10 * 1024 * 1024:
        problems.append(f"{name}: larger than 10 MB ({len(raw)} bytes)")
    text = body.decode("utf-8")
    fields = None
    version = None
    rows = []
    last = ""
    reader = csv.reader(io.StringIO(text, newline=""))
    for rec in reader:
        if not rec:
            continue
        if rec[0].startswith("#"):
            line = ",".join(rec)
            if line.startswith("#Fields: "):
                fields = line[len("#Fields: "):].split(",")
            elif line.startswith("#Version: "):
                version = line[len("#Version: "):]
            continue
        if fields is None:
            problems.append(f"{name}: data before #Fields")
            return [], version
        if len(rec) != len(fields):
            problems.append(f"{name}: row with {len(rec)} columns, header has {len(fields)}: {rec[:3]}")
            continue
        row = dict(zip(fields, rec))
        if row["date-time"] < last:
            problems.append(f"{name}: time goes back at {row['date-time']}")
        last = row["date-time"]
        rows.append(row)
    if version and "message-id" in (fields or []):
        want = next((n for p, n in FIELD_COUNTS.items() if version.startswith(p)), None)
        if want and len(fields) != want:
            problems.append(f"{name}: {len(fields)} fields for version {version}, expected {want}")
    return rows, version


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    if len(args) != 1:
        print("usage: check_ground_truth.py DIR [-v]", file=sys.stderr)
        return 2
    root = args[0]
    passed = failed = 0
    file_problems = []

    # ---- read every log ----
    by_mid = defaultdict(list)          # message-id -> [(server, row)]
    recv_sessions = defaultdict(set)    # server -> session ids seen in SmtpReceive
    nfiles = 0
    servers = sorted(d for d in os.listdir(root)
                     if os.path.isdir(os.path.join(root, d, "TransportRoles")))
    for srv in servers:
        base = os.path.join(root, srv, "TransportRoles", "Logs")
        for path in sorted(glob.glob(os.path.join(base, "MessageTracking", "MSGTRK*.LOG"))):
            nfiles += 1
            probs = []
            rows, _ = read_exchange_csv(path, probs)
            file_problems.extend(probs)
            for row in rows:
                if row["message-id"]:
                    by_mid[row["message-id"]].append((srv, row))
        for kind in ("SmtpReceive", "SmtpSend"):
            for path in sorted(glob.glob(os.path.join(base, "ProtocolLog", kind, "*.LOG"))):
                nfiles += 1
                probs = []
                rows, _ = read_exchange_csv(path, probs)
                file_problems.extend(probs)
                if kind == "SmtpReceive":
                    for row in rows:
                        recv_sessions[srv].add(row["session-id"])

    maillog_mid = {}                    # queue id -> message-id
    maillog_sent = defaultdict(set)     # queue id -> recipients sent
    maillog_deferred = defaultdict(list)  # queue id -> [(time, recipient)] deferred
    maillog_tried = defaultdict(list)   # queue id -> [(time, recipient)] any smtp line
    maillog_active = set()              # queue ids the queue manager made active
    mpath = os.path.join(root, "smarthost", "maillog")
    if os.path.exists(mpath):
        nfiles += 1
        with open(mpath, encoding="utf-8") as f:
            for line in f:
                m = re.search(r"postfix/cleanup\[\d+\]: ([0-9A-F]{10,11}): message-id=(<[^>]*>)", line)
                if m:
                    maillog_mid[m.group(1)] = m.group(2)
                m = re.search(r"postfix/smtp\[\d+\]: ([0-9A-F]{10,11}): to=<([^>]*)>.*status=(\w+)", line)
                if m:
                    # The syslog stamp (no year) orders lines within the log.
                    tried = (line[:15], m.group(2))
                    maillog_tried[m.group(1)].append(tried)
                    if m.group(3) == "sent":
                        maillog_sent[m.group(1)].add(m.group(2))
                    elif m.group(3) == "deferred":
                        maillog_deferred[m.group(1)].append(tried)
                m = re.search(r"postfix/qmgr\[\d+\]: ([0-9A-F]{10,11}): from=<.*\(queue active\)", line)
                if m:
                    maillog_active.add(m.group(1))

    for p in file_problems[:20]:
        print("FORMAT:", p)
    failed += len(set(p.split(":")[0] for p in file_problems))
    passed += nfiles - len(set(p.split(":")[0] for p in file_problems))

    # ---- check each message ----
    maillog = (maillog_mid, maillog_sent, maillog_deferred, maillog_tried, maillog_active)
    def rcpts(row):
        return [r for r in row["recipient-address"].split(";") if r]

    def to_smarthost(row):
        return row["server-ip"] == SMARTHOST_IP

    shown = 0
    with open(os.path.join(root, "ground-truth.jsonl"), encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            errs = []
            try:
                gt = json.loads(line)
            except ValueError as e:
                errs.append(f"line {lineno} is not JSON: {e}")
                gt = None
            if gt is not None:
                check_message(gt, by_mid, recv_sessions, maillog, rcpts, to_smarthost, errs)
            if errs:
                failed += 1
                if shown < 20 or verbose:
                    shown += 1
                    mid = gt["message_id"] if gt else f"line {lineno}"
                    print(f"FAIL {mid}:")
                    for e in errs:
                        print("   ", e)
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def check_message(gt, by_mid, recv_sessions, maillog, rcpts, to_smarthost, errs):
    maillog_mid, maillog_sent, maillog_deferred, maillog_tried, maillog_active = maillog
    mid = gt["message_id"]
    events = sorted(by_mid.get(mid, []), key=lambda e: e[1]["date-time"])
    if not events:
        errs.append("no tracking event carries this message-id")
        return

    # The path: servers in order of their first event, then the smart host
    # when a SEND there was answered with a queue id.
    path = []
    for srv, row in events:
        if srv not in path:
            path.append(srv)
    sh_sends = [(s, r) for s, r in events
                if r["event-id"] == "SEND" and to_smarthost(r) and "queued as" in r["source-context"]]
    if sh_sends:
        path.append("smarthost")
    if path != gt["servers"]:
        errs.append(f"servers in logs {path} != ground truth {gt['servers']}")

    # Causality: each hop's RECEIVE comes after the previous hop's hand-off.
    hops = [s for s in gt["servers"] if s != "smarthost"]
    for a, b in zip(hops, hops[1:]):
        hand = [r["date-time"] for s, r in events if s == a and
                (r["event-id"] == "SUBMIT" or (r["event-id"] == "SEND" and not to_smarthost(r)))]
        recv = [r["date-time"] for s, r in events if s == b and r["event-id"] == "RECEIVE"]
        if not hand or not recv:
            errs.append(f"no hand-off {a} -> {b} (SUBMIT/SEND then RECEIVE)")
        elif min(recv) < min(hand):
            errs.append(f"RECEIVE on {b} at {min(recv)} before hand-off on {a} at {min(hand)}")

    # RECEIVE over SMTP names a session of that server's receive log.
    for s, r in events:
        if r["event-id"] == "RECEIVE" and r["source"] == "SMTP":
            sess = r["source-context"].split(";")[0]
            if not re.fullmatch(r"[0-9A-F]{16}", sess):
                errs.append(f"RECEIVE on {s}: source-context {r['source-context']!r} has no session id")
            elif sess not in recv_sessions[s]:
                errs.append(f"RECEIVE on {s}: session {sess} not in its SmtpReceive log")

    # [InternalId=N, Hostname=H] names the next hop's internal-message-id.
    for s, r in events:
        m = re.search(r"\[InternalId=(\d+)(?:, Hostname=([^\]]+))?\]", r["source-context"])
        if r["event-id"] == "SEND" and m:
            host = (m.group(2) or "").split(".")[0]
            ids = [x["internal-message-id"] for t, x in events
                   if x["event-id"] == "RECEIVE" and (not host or t == host)]
            if m.group(1) not in ids:
                errs.append(f"SEND on {s} says InternalId={m.group(1)} but no RECEIVE on {host or 'next hop'} has it")

    # Per-recipient outcomes.
    for rc in gt["recipients"]:
        addr, outcome, where = rc["address"], rc["outcome"], rc["server"]

        def has(ev, server=where, pred=None):
            return [r for s, r in events if s == server and r["event-id"] == ev and
                    (pred(r) if pred else addr in rcpts(r))]

        if outcome == "delivered":
            if not has("DELIVER"):
                errs.append(f"{addr}: delivered on {where} per ground truth, no DELIVER there")
            if any(addr in rcpts(r) for s, r in events if r["event-id"] == "FAIL"):
                errs.append(f"{addr}: delivered but a FAIL names it")
        elif outcome == "relayed":
            if not has("SEND", pred=lambda r: to_smarthost(r) and addr in rcpts(r)):
                errs.append(f"{addr}: relayed from {where} per ground truth, no SEND to the smart host there")
        elif outcome == "failed":
            if not has("FAIL"):
                errs.append(f"{addr}: failed on {where} per ground truth, no FAIL there")
            if any(addr in rcpts(r) for s, r in events if r["event-id"] == "DELIVER"):
                errs.append(f"{addr}: failed but a DELIVER names it")
        elif outcome in ("deferred", "in-transit") and where == "smarthost":
            # Past Exchange, still in the smart host's queue: Exchange's SEND
            # named it; in its queue every try (if any) was deferred.
            qid = gt["smarthost_queue_id"] or ""
            if not any(to_smarthost(r) and addr in rcpts(r) and f"queued as {qid}" in r["source-context"]
                       for s, r in events if r["event-id"] == "SEND"):
                errs.append(f"{addr}: {outcome} on the smart host per ground truth, no SEND there queued as {qid!r}")
            if qid not in maillog_active:
                errs.append(f"{addr}: maillog: the queue manager never made {qid} active")
            tries = [x for x in maillog_tried.get(qid, []) if x[1] == addr]
            deferred = [x for x in maillog_deferred.get(qid, []) if x[1] == addr]
            if outcome == "in-transit" and tries:
                errs.append(f"{addr}: in transit on the smart host per ground truth, but {qid} tried it")
            if outcome == "deferred" and (not deferred or len(deferred) != len(tries)):
                errs.append(f"{addr}: deferred on the smart host per ground truth, {qid} has "
                            f"{len(deferred)} deferrals in {len(tries)} tries")
        elif outcome == "deferred":
            d = has("DEFER")
            if not d:
                errs.append(f"{addr}: deferred on {where} per ground truth, no DEFER there")
            else:
                last = max(r["date-time"] for r in d)
                later = [r for s, r in events if r["event-id"] in ("DELIVER", "SEND", "FAIL")
                         and addr in rcpts(r) and r["date-time"] > last]
                if later:
                    errs.append(f"{addr}: deferred per ground truth but {later[0]['event-id']} follows the DEFER")
        elif outcome == "in-transit":
            # Received, still queued when the logs end: the server holds the
            # message and nothing anywhere finished or deferred it.
            if not [r for s, r in events if s == where and r["event-id"] == "RECEIVE"]:
                errs.append(f"{addr}: in transit on {where} per ground truth, no RECEIVE there")
            done = [r for s, r in events if addr in rcpts(r) and
                    (r["event-id"] in ("DELIVER", "FAIL", "DEFER") or
                     (r["event-id"] == "SEND" and s == where))]
            if done:
                errs.append(f"{addr}: in transit per ground truth but {done[0]['event-id']} names it")
        elif outcome == "expanded":
            if not has("EXPAND", pred=lambda r: r["related-recipient-address"] == addr):
                errs.append(f"{addr}: expanded on {where} per ground truth, no EXPAND there")
        else:
            errs.append(f"{addr}: unknown outcome {outcome!r}")

    # The smart host's queue id: in the SEND reply and in the maillog.
    qid = gt["smarthost_queue_id"]
    if qid:
        if not any(f"queued as {qid}" in r["source-context"] for s, r in sh_sends):
            errs.append(f"queue id {qid} not in any SEND reply")
        if maillog_mid.get(qid) != mid:
            errs.append(f"maillog: {qid} has message-id {maillog_mid.get(qid)}, expected {mid}")
        relayed = {rc["address"] for rc in gt["recipients"] if rc["outcome"] == "relayed"}
        if not relayed <= maillog_sent.get(qid, set()):
            errs.append(f"maillog: {qid} did not send to {sorted(relayed - maillog_sent.get(qid, set()))}")
    elif sh_sends:
        errs.append("a SEND to the smart host was answered with a queue id, ground truth has none")

    # The NDR: a DSN row referencing this message, then its own fate.
    dsn = gt.get("dsn")
    if dsn:
        nevents = by_mid.get(dsn["message_id"], [])
        if not any(r["event-id"] == "DSN" and r["reference"] == mid and s == dsn["server"]
                   for s, r in nevents):
            errs.append(f"no DSN on {dsn['server']} with reference {mid}")
        if dsn["outcome"] == "delivered":
            if not any(r["event-id"] == "DELIVER" and dsn["to"] in rcpts(r) for s, r in nevents):
                errs.append(f"NDR {dsn['message_id']} not delivered to {dsn['to']}")
        elif dsn["outcome"] == "relayed":
            q = dsn["smarthost_queue_id"]
            if not any(r["event-id"] == "SEND" and f"queued as {q}" in r["source-context"]
                       for s, r in nevents):
                errs.append(f"NDR {dsn['message_id']}: no SEND answered 'queued as {q}'")
            if maillog_mid.get(q) != dsn["message_id"]:
                errs.append(f"NDR queue id {q} not in the maillog")


if __name__ == "__main__":
    sys.exit(main())
