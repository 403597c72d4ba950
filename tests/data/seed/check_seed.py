#!/usr/bin/env python3
"""check_seed.py -- independent consistency check of the SYNTHETIC seed fixtures.

Checks every tests/data/seed/*/TransportRoles/Logs/MessageTracking/MSGTRK*.LOG:
  bytes : UTF-8, BOM exactly once and only at offset 0, every line ends in CRLF
          (no bare LF, no bare CR), file ends with CRLF
  header: the 5 exact Exchange 2010 lines, 26 #Fields; #Date <= first row time
  rows  : parse as CSV (Python csv module) with exactly 26 columns; quoting only
          where a comma is present; date-time ISO UTC ms 'Z'; strictly increasing
          within a file; file name date == row date (UTC)
  fields: recipient-count == number of recipients; recipient-status aligned;
          internal-message-id integer; message-id <...>
  links : TRANSFER.reference -> a SEND with that internal id and same message-id on
          the same server; intra-org SEND [InternalId=N] -> RECEIVE with id N and
          same message-id on the peer; DSN.reference -> a message-id seen elsewhere;
          SUBMIT on one server -> STOREDRIVER RECEIVE of the same message-id on the
          server named in server-hostname; (server, internal id) used by one
          message-id only.
Also re-runs gen_seed.py into a temp dir and requires byte-identical output.
Exit status 0 = all good.
"""
import csv
import glob
import io
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"
          "connector-id,source,event-id,internal-message-id,message-id,recipient-address,"
          "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
          "message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
          "original-client-ip,original-server-ip,custom-data").split(",")
HEADER = ["#Software: Microsoft Exchange Server", "#Version: 14.03.0123.003",
          "#Log-type: Message Tracking Log"]
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
STATUS_SPLIT = re.compile(r";(?=[245][0-9][0-9] [245]\.[0-9]{1,3}\.[0-9]{1,3}\b)")

errors = []


def err(msg):
    errors.append(msg)


def files(root):
    return sorted(glob.glob(os.path.join(root, "*", "TransportRoles", "Logs", "MessageTracking",
                                         "MSGTRK*.LOG")))


def check_file(path, events):
    raw = open(path, "rb").read()
    rel = os.path.relpath(path, HERE)
    srv = rel.split(os.sep)[0]
    if not raw.startswith(b"\xef\xbb\xbf"):
        err("%s: no BOM at start" % rel)
    if raw.count(b"\xef\xbb\xbf") != 1:
        err("%s: BOM appears %d times" % (rel, raw.count(b"\xef\xbb\xbf")))
    if not raw.endswith(b"\r\n"):
        err("%s: does not end with CRLF" % rel)
    if raw.count(b"\n") != raw.count(b"\r\n") or raw.count(b"\r") != raw.count(b"\r\n"):
        err("%s: bare LF or bare CR present" % rel)
    text = raw[3:].decode("utf-8")          # raises on invalid UTF-8
    lines = text.split("\r\n")[:-1]
    if lines[:3] != HEADER:
        err("%s: header lines 1-3 wrong: %r" % (rel, lines[:3]))
    if not lines[3].startswith("#Date: ") or not TS.match(lines[3][7:]):
        err("%s: bad #Date line %r" % (rel, lines[3]))
    if lines[4] != "#Fields: " + ",".join(FIELDS):
        err("%s: #Fields line wrong" % rel)
    data = lines[5:]
    if any(l.startswith("#") for l in data):
        err("%s: directive line after header" % rel)
    prev = lines[3][7:]
    fdate = os.path.basename(path)[6:14]
    for n, line in enumerate(data, 6):
        cells = next(csv.reader(io.StringIO(line)))
        if len(cells) != 26:
            err("%s:%d: %d columns" % (rel, n, len(cells)))
            continue
        # re-encode with the "quote only if comma" rule and require the same bytes
        reenc = ",".join('"%s"' % c.replace('"', '""') if "," in c else c for c in cells)
        if reenc != line:
            err("%s:%d: quoting differs from the quote-only-on-comma rule" % (rel, n))
        r = dict(zip(FIELDS, cells))
        t = r["date-time"]
        if not TS.match(t):
            err("%s:%d: bad date-time %r" % (rel, n, t))
        if n == 6 and t < prev:
            err("%s:%d: first row before #Date" % (rel, n))
        if n > 6 and t <= prev:
            err("%s:%d: time not strictly increasing (%s after %s)" % (rel, n, t, prev))
        prev = t
        if t[:10].replace("-", "") != fdate:
            err("%s:%d: row date %s not the file's UTC date" % (rel, n, t[:10]))
        rc = [x for x in r["recipient-address"].split(";") if x] if r["recipient-address"] else []
        if rc:
            if r["recipient-count"] != str(len(rc)):
                err("%s:%d: recipient-count %r but %d recipients" % (rel, n, r["recipient-count"], len(rc)))
            if r["recipient-status"] and len(STATUS_SPLIT.split(r["recipient-status"])) != len(rc):
                err("%s:%d: recipient-status not aligned" % (rel, n))
        elif r["recipient-count"] or r["recipient-status"]:
            err("%s:%d: count/status without recipients" % (rel, n))
        if r["internal-message-id"] and not r["internal-message-id"].isdigit():
            err("%s:%d: internal-message-id not an integer" % (rel, n))
        if r["message-id"] and not (r["message-id"].startswith("<") and r["message-id"].endswith(">")):
            err("%s:%d: message-id without <>" % (rel, n))
        if r["total-bytes"] and not r["total-bytes"].isdigit():
            err("%s:%d: total-bytes not an integer" % (rel, n))
        r["_srv"], r["_where"] = srv, "%s:%d" % (rel, n)
        events.append(r)
    return len(data)


def check_links(ev):
    by_iid = {}
    for r in ev:
        if r["internal-message-id"]:
            key = (r["_srv"], r["internal-message-id"])
            by_iid.setdefault(key, set()).add(r["message-id"])
    for key, mids in by_iid.items():
        if len(mids) != 1:
            err("internal id %s used by several message-ids: %s" % (key, mids))
    mids_all = {r["message-id"] for r in ev if r["message-id"]}
    other = {"EX13-1": "EX13-2", "EX13-2": "EX13-1"}
    for r in ev:
        e, w = r["event-id"], r["_where"]
        if e == "TRANSFER":
            if not any(x["_srv"] == r["_srv"] and x["event-id"] == "SEND" and
                       x["internal-message-id"] == r["reference"] and
                       x["message-id"] == r["message-id"] for x in ev):
                err("%s: TRANSFER reference %s has no SEND" % (w, r["reference"]))
        if e == "SEND" and "[InternalId=" in r["source-context"]:
            nid = re.search(r"\[InternalId=(\d+)\]", r["source-context"]).group(1)
            if not any(x["_srv"] == other[r["_srv"]] and x["event-id"] == "RECEIVE" and
                       x["internal-message-id"] == nid and x["message-id"] == r["message-id"]
                       for x in ev):
                err("%s: SEND InternalId=%s has no RECEIVE on %s" % (w, nid, other[r["_srv"]]))
            if r["message-id"] not in r["source-context"]:
                err("%s: SEND 250 reply names another message-id" % w)
        if e == "DSN" and r["reference"] not in mids_all - {r["message-id"]}:
            err("%s: DSN reference %s not a known message-id" % (w, r["reference"]))
        if e == "SUBMIT":
            hub = r["server-hostname"]
            if not any(x["_srv"] == hub and x["event-id"] == "RECEIVE" and
                       x["source"] == "STOREDRIVER" and x["message-id"] == r["message-id"]
                       for x in ev):
                err("%s: SUBMIT to %s has no STOREDRIVER RECEIVE there" % (w, hub))


def check_regen():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "gen_seed.py"), tmp], check=True,
                       stdout=subprocess.DEVNULL)
        new = files(tmp)
        old = files(HERE)
        if [os.path.relpath(p, tmp) for p in new] != [os.path.relpath(p, HERE) for p in old]:
            err("regenerated file set differs")
        for a, b in zip(new, old):
            if open(a, "rb").read() != open(b, "rb").read():
                err("regenerated %s differs from committed file" % os.path.relpath(b, HERE))


def main():
    ev = []
    total = 0
    fl = files(HERE)
    if not fl:
        err("no seed files found")
    for p in fl:
        total += check_file(p, ev)
    check_links(ev)
    check_regen()
    for e in errors:
        print("FAIL:", e)
    print("%d files, %d rows, %d message-ids, %d errors"
          % (len(fl), total, len({r["message-id"] for r in ev if r["message-id"]}), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
