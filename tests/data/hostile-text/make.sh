#!/bin/sh
# make.sh -- regenerate the logs of tests/data/hostile-text/ (see README.md).
#
# The produced files are committed; tests read them and never run this script.
# The bytes that matter (ESC, BEL, NUL, DEL, Latin-1, U+009B) are hard to
# type into a file by hand: they are written here as Python escapes.
set -eu
cd "$(dirname "$0")"
exec python3 - <<'PY'
import os

BOM = b"\xef\xbb\xbf"
ESC = b"\x1b"


def enc(v):
    return b'"' + v.replace(b'"', b'""') + b'"' if b"," in v or b'"' in v else v


def write(path, log_type, fields, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    head = [b"#Software: Microsoft Exchange Server", b"#Version: 15.01.2507.039",
            b"#Log-type: " + log_type, b"#Date: 2016-08-27T00:00:00.000Z", b"#Fields: " + fields]
    with open(path, "wb") as f:
        f.write(BOM + b"\r\n".join(head + rows) + b"\r\n")


# Message tracking: a subject, a sender or a status is whatever the internet sent.
TRK = (b"date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
       b"source,event-id,internal-message-id,message-id,network-message-id,recipient-address,"
       b"recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
       b"message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
       b"original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version")


def trk(sec, ctx, event, iid, mid, status, size, subject, sender):
    return b",".join(enc(v) for v in [b"2016-08-27T10:00:%02d.000Z" % sec, b"203.0.113.9", b"mx.example", b"10.0.0.1",
                      b"EX1", ctx, b"EX1\\Default", b"SMTP", event, iid, mid, b"n-" + iid,
                      b"bob@corp.test", status, size, b"1", b"", b"", subject, sender, sender, b"",
                      b"Incoming", b"", b"", b"", b"", b"Email", b"lid", b"15.01.2507.039"])


write("EX1/MessageTracking/MSGTRK20160827-1.LOG", b"Message Tracking Log", TRK, [
    trk(0, b"08D3CE0000000000;250 2.6.0 queued", b"RECEIVE", b"1", b"<m1@x>", b"",
        b"18446744073709551615", b"caf\xe9 in Latin-1", b"a@x.test"),
    trk(1, b"", b"RECEIVE", b"2", b"<m2@x>", b"", b"18446744073709551616", b"nul\x00byte", b"a@x.test"),
    trk(2, b"", b"RECEIVE", b"3", b"<m3@x>", b"", b"1e3",
        b"red " + ESC + b"[31mtext" + ESC + b"[0m bell\x07 del\x7f", b"evil" + ESC + b"]0;pwned\x07@x.test"),
    trk(3, b"", b"FAIL", b"3", b"<m3@x>", b"550 5.1.1 " + ESC + b"[2K" + ESC + b"[1Auser unknown", b"-0",
        b"red " + ESC + b"[31mtext" + ESC + b"[0m bell\x07 del\x7f", b"evil" + ESC + b"]0;pwned\x07@x.test"),
    trk(4, b"", b"RECEIVE", b"4", b"<m4@x>", b"", b"99999999999999999999999",
        b"tab\there, emoji \xf0\x9f\x98\x80, C1 CSI \xc2\x9b2J, nbsp\xc2\xa0ok", b"a@x.test"),
    trk(5, b"", b"RECEIVE", b"5", b"<m5@x>", b"", b"0042", b"plain", b"a@x.test"),
    trk(6, b"", b"RECEIVE", b"6", b"<m6@x>", b"", b"0", b"empty message", b"a@x.test"),
])

# SMTP receive protocol log: EHLO names, addresses and replies come from the client.
SMTP = b"date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"


def session(sid, minute, lines):
    rows = []
    for seq, (event, data, context) in enumerate(lines):
        rows.append(b",".join(enc(v) for v in [b"2016-08-27T10:%02d:00.%03dZ" % (minute, 10 * seq),
                                                b"EX1\\Default", sid, b"%d" % seq, b"10.0.0.1:25",
                                                b"203.0.113.9:5555", event, data, context]))
    return rows


write("EX1/ProtocolLog/SmtpReceive/RECV20160827-1.LOG", b"SMTP Receive Protocol Log", SMTP,
      session(b"08D3CE0000000000", 0, [
          (b"+", b"", b""), (b">", b"220 EX1 ready", b""),
          (b"<", b"EHLO evil" + ESC + b"[2K" + ESC + b"[1Ahost", b""), (b">", b"250 EX1 Hello", b""),
          (b"<", b"MAIL FROM:<a" + ESC + b"]0;pwned\x07@x.test>", b""), (b">", b"250 2.1.0 Sender OK", b""),
          (b"<", b"RCPT TO:<bob@corp.test>", b""), (b">", b"250 2.1.5 Recipient OK", b""),
          (b"<", b"DATA", b""), (b">", b"354 Start mail input", b""),
          (b">", b"250 2.6.0 <m1@x> [InternalId=1, Hostname=EX1] Queued mail for delivery", b""),
          (b"<", b"QUIT", b""), (b">", b"221 2.0.0 Bye", b""), (b"-", b"", b"Local")])
      + session(b"08D3CE0000000001", 1, [
          (b"+", b"", b""), (b">", b"220 EX1 ready", b""),
          (b"<", b"EHLO evil", b""), (b">", b"250 EX1 Hello", b""),
          (b"<", b"MAIL FROM:<b@x.test>", b""), (b">", b"250 2.1.0 Sender OK", b""),
          (b"<", b"RCPT TO:<x\xc2\x9b2J@elsewhere.test>", b""),
          (b">", b"550 5.7.54 " + ESC + b"[5mUnable to relay", b""),
          (b"<", b"QUIT", b""), (b">", b"221 2.0.0 Bye", b""), (b"-", b"", b"Local")]))
PY
