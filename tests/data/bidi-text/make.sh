#!/bin/sh
# make.sh -- regenerate the log of tests/data/bidi-text/ (see README.md).
#
# The produced file is committed; tests read it and never run this script.
# The characters that matter are invisible or reorder the line: they are
# written here as Python escapes.
set -eu
cd "$(dirname "$0")"
exec python3 - <<'PY'
import os

BOM = b"\xef\xbb\xbf"
TRK = (b"date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
       b"source,event-id,internal-message-id,message-id,network-message-id,recipient-address,"
       b"recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
       b"message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
       b"original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version")


def u(s):
    return s.encode("utf-8")


def enc(v):
    return b'"' + v.replace(b'"', b'""') + b'"' if b"," in v or b'"' in v else v


def trk(sec, iid, subject, sender, rcpt):
    return b",".join(enc(v) for v in [b"2016-08-27T10:00:%02d.000Z" % sec, b"203.0.113.9", b"mx.example", b"10.0.0.1",
                      b"EX1", b"", b"EX1\\Default", b"SMTP", b"RECEIVE", iid, b"<b%s@x>" % iid, b"n-" + iid,
                      rcpt, b"", b"100", b"1", b"", b"", subject, sender, sender, b"",
                      b"Incoming", b"", b"", b"", b"", b"Email", b"lid", b"15.01.2507.039"])


rows = [
    # RLO: shown as "invoice exe.pdf" -- the file is invoice fdp.exe
    trk(0, b"1", u("invoice \u202efdp.exe"), u("ceo@corp.example\u202e"), b"bob@corp.test"),
    # LRE, RLE, PDF, LRO; LRI, RLI, FSI, PDI; LRM, RLM; ALM (U+061C)
    trk(1, b"2", u("a\u202ab\u202bc\u202cd\u202de"), u("f\u2066g\u2067h\u2068i\u2069j@x.test"), b"bob@corp.test"),
    trk(2, b"3", u("marks \u200eL \u200fR \u061cA"), b"a@x.test", u("moc.elpmaxe@\u202eevil")),
    # not controls: Hebrew text, ZWJ U+200D, U+2065 (unassigned, next to LRI), U+202F NNBSP
    trk(3, b"4", u("\u05e9\u05dc\u05d5\u05dd zwj\u200d \u2065 nnbsp\u202fok"), b"a@x.test", b"bob@corp.test"),
]
path = "EX1/MessageTracking/MSGTRK20160827-1.LOG"
os.makedirs(os.path.dirname(path), exist_ok=True)
head = [b"#Software: Microsoft Exchange Server", b"#Version: 15.01.2507.039",
        b"#Log-type: Message Tracking Log", b"#Date: 2016-08-27T00:00:00.000Z", b"#Fields: " + TRK]
with open(path, "wb") as f:
    f.write(BOM + b"\r\n".join(head + rows) + b"\r\n")
PY
