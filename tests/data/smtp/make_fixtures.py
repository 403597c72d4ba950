#!/usr/bin/env python3
"""make_fixtures.py -- write and check the SYNTHETIC SMTP protocol log fixtures.

Every line of every file is spelled out below; this script is the readable source.
It is deterministic: no clock and no random module. Ports, serial numbers and
thumbprints come from SHA-256 of a fixed label.

  python3 make_fixtures.py           write the files next to this script, then check them
  python3 make_fixtures.py --check   write into a temporary directory, require byte-identical
                                     output, and check the committed files
  python3 make_fixtures.py --table   print the session table used in README.md

The checks use Python's csv module. Each data line is parsed on its own, because a
record ends at a newline. They cover the following:
  bytes   : BOM only at offset 0 (headered files), CRLF after every line, no bare LF or CR
  header  : 5 lines; #Fields has the 9 protocol-log names
  rows    : 9 columns; a field is quoted only if it contains a comma; date-time is ISO UTC
            with ms and Z, non-decreasing within a file, on the date in the file name;
            session id is 16 upper-case hex digits; event is one of + - > < *
  sessions: per (server, direction), sequence numbers run 0,1,2,... without a gap, also
            across the midnight file boundary
  joins   : against tests/data/seed (read only): every SMTP RECEIVE of EX13-1 on
            2016-08-27/28 has a session with that id that starts at the source-context time
            and queues [InternalId=<iid>] for that message-id. The OutBound-001 SEND row
            matches session 08D3AF1C2B3D4E5F (same internal id, queue id, recipient and
            sender, and the session ends before the SEND row). No other EX13-1 session queues
            a message.
  bad/    : exactly the 5 listed lines are malformed; every other line is good.
  README  : every session in the files is in the session table (META), and the reverse.
"""
import csv
import filecmp
import glob
import hashlib
import os
import re
import sys
import tempfile
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "seed")

FIELDS = "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"
VERSION = "14.03.0123.003"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# ---------------------------------------------------------------- small helpers

def T(s):
    """'2016-07-18T15:57:16.389Z' -> ms since the epoch."""
    dt = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return round((dt - EPOCH).total_seconds() * 1000)


def iso(ms):
    dt = EPOCH + timedelta(milliseconds=ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def banner_time(ms, offset_h=-4, zone="-0400"):
    """The local time in Exchange's 220 banner: 'Sat, 27 Aug 2016 17:54:05 -0400' (EDT)."""
    dt = EPOCH + timedelta(milliseconds=ms) + timedelta(hours=offset_h)
    return "%s, %02d %s %d %02d:%02d:%02d %s" % (DAYS[dt.weekday()], dt.day, MONTHS[dt.month - 1],
                                                dt.year, dt.hour, dt.minute, dt.second, zone)


def h(label, n):
    """n upper-case hex digits derived from a label."""
    return hashlib.sha256(label.encode()).hexdigest().upper()[:n]


def port(label, lo=1025, hi=65535):
    return lo + int(hashlib.sha256(("port:" + label).encode()).hexdigest()[:8], 16) % (hi - lo)


def enc(v):
    """Exchange CSV: quote only when the value contains a comma; double embedded quotes."""
    return '"' + v.replace('"', '""') + '"' if "," in v else v


# ---------------------------------------------------------------- sessions

ALL = []            # every Session, in creation order (ties in time keep this order)


class Session:
    def __init__(self, server, direction, connector, sid, local, remote, start):
        assert re.fullmatch(r"[0-9A-F]{16}", sid), sid
        self.server, self.direction, self.connector, self.sid = server, direction, connector, sid
        self.local, self.remote, self.t = local, remote, start
        self.rows = []
        self.order = len(ALL)
        ALL.append(self)

    def at(self, ms):
        assert ms >= self.t, (self.sid, iso(ms), iso(self.t))
        self.t = ms
        return self

    def ln(self, ev, data="", ctx="", dt=0, local=None):
        self.t += dt
        loc = self.local if local is None else local
        self.rows.append((self.t, self.order, len(self.rows), self.connector, self.sid, loc,
                          self.remote, ev, data, ctx))
        return self


def write_log(path, rows, log_type=None, date_lag_ms=0, bom=True):
    """rows: tuples from Session.rows (any sessions), written in time order.
    log_type None: no header (and no BOM)."""
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    out = []
    if log_type:
        out += ["#Software: Microsoft Exchange Server", "#Version: " + VERSION,
                "#Log-type: " + log_type, "#Date: " + iso(rows[0][0] + date_lag_ms),
                "#Fields: " + FIELDS]
    for (ms, _o, seq, conn, sid, loc, rem, ev, data, ctx) in rows:
        out.append(",".join([iso(ms), enc(conn), sid, str(seq), loc, rem, ev, enc(data), enc(ctx)]))
    text = "".join(line + "\r\n" for line in out)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom and log_type else b"") + text.encode("utf-8"))


# ---------------------------------------------------------------- EX13-2: SmtpSend to the smart host

SEND_CONN = "MYNET-SendConn-1"
EX13_2 = "192.168.1.32"
SMARTHOST = "198.51.100.25:25"
RTT = 29          # ms to the smart host and back

# The smart host is a Postfix relay (the seed's No-IP relay, replaced by a documentation
# address). EHLO before TLS: 12 lines; after TLS: 11 (no STARTTLS). Postfix 3.x order.
PF_EHLO = ["250-relay.smarthost.example", "250-PIPELINING", "250-SIZE 36700160", "250-VRFY",
           "250-ETRN", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250-AUTH=PLAIN LOGIN",
           "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250 SMTPUTF8"]
PF_EHLO_TLS = [x for x in PF_EHLO if x != "250-STARTTLS"]

# EX13-2's self-signed Exchange certificate, and the smart host's certificate.
EX13_2_CERT = [("", "Sending certificate"),
               ("CN=EX13-2", "Certificate subject"),
               ("CN=EX13-2", "Certificate issuer name"),
               (h("serial EX13-2", 32), "Certificate serial number"),
               (h("thumb EX13-2", 40), "Certificate thumbprint"),
               ("EX13-2;EX13-2.mynet.lan", "Certificate alternate names")]
SMARTHOST_THUMB = h("thumb relay.smarthost.example", 40)


def smarthost_session(sid, start):
    lp = "%s:%d" % (EX13_2, port(sid))
    s = Session("EX13-2", "send", SEND_CONN, sid, lp, SMARTHOST, start)
    s.ln("*", "", "attempting to connect", local="")
    s.ln("+", dt=13)
    s.ln("<", "220 ESMTP ready", dt=RTT)
    s.ln(">", "EHLO EX13-2.mynet.lan", dt=1)
    s.t += RTT
    for x in PF_EHLO:
        s.ln("<", x)
    s.ln(">", "STARTTLS", dt=1)
    s.ln("<", "220 2.0.0 Ready to start TLS", dt=RTT - 1)
    s.t += 1
    for d, c in EX13_2_CERT:
        s.ln("*", d, c)
    s.ln("*", "", "Received certificate", dt=62)
    s.ln("*", SMARTHOST_THUMB, "Certificate thumbprint")
    s.ln(">", "EHLO EX13-2.mynet.lan", dt=1)
    s.t += RTT
    for x in PF_EHLO_TLS:
        s.ln("<", x)
    s.ln(">", "AUTH LOGIN", dt=1)
    s.ln("<", "334 <authentication information>", dt=RTT - 1)
    s.ln(">", "<Binary Data>", dt=1)
    s.ln("<", "334 <authentication information>", dt=RTT - 1)
    s.ln(">", "<Binary Data>", dt=1)
    s.ln("<", "235 2.0.0 OK", dt=59)
    return s


def send_envelope(s, iid, mail_from, size, rcpt):
    s.ln("*", str(iid), "sending message", dt=1)
    s.ln(">", "MAIL FROM:<%s> SIZE=%d" % (mail_from, size))
    s.ln(">", "RCPT TO:<%s>" % rcpt)
    s.ln("<", "250 2.1.0 Ok", dt=RTT)


def send_good(s, iid, mail_from, size, rcpt, queue_id, body_ms=113):
    send_envelope(s, iid, mail_from, size, rcpt)
    s.ln("<", "250 2.1.5 Ok")
    s.ln(">", "DATA", dt=1)
    s.ln("<", "354 End data with <CR><LF>.<CR><LF>", dt=RTT - 1)
    s.ln("<", "250 2.0.0 Ok: queued as " + queue_id, dt=body_ms)
    s.ln(">", "QUIT", dt=1)
    s.ln("<", "221 2.0.0 Bye", dt=RTT)
    s.ln("-", "", "Local", dt=1)


def build_send():
    # S1: the seed blog's session (post "Message Tracking - 02"), OutBound-001. 55 lines,
    # seq 0..54. The seed's SEND row is at 15:57:16.912 with internal id 4568.
    s1 = smarthost_session("08D3AF1C2B3D4E5F", T("2016-07-18T15:57:16.389Z"))
    send_good(s1, 4568, "alan.reid@mynet.lan", 6152, "mynet.test01@gmail.com", "054E2400836")

    # S2: the smart host does not answer: Winsock 10060 after Windows' 21 s SYN timeout.
    s2 = Session("EX13-2", "send", SEND_CONN, "08D3AF1C2B3D4E6A", "", SMARTHOST,
                 T("2016-07-18T16:05:12.004Z"))
    s2.ln("*", "", "attempting to connect")
    s2.ln("*", "", "Failed to connect. Winsock error code: 10060, Win32 error code: 10060, "
          "Destination domain: relay.smarthost.example, Error Message: A connection attempt "
          "failed because the connected party did not properly respond after a period of "
          "time, or established connection failed because connected host has failed to "
          "respond 198.51.100.25:25.", dt=21043)

    # S3 + S4: the retry. The queue holds two messages, so Exchange opens two connections
    # at once: their lines interleave.
    s3 = smarthost_session("08D3AF1C2B3D4E71", T("2016-07-18T16:10:13.517Z"))
    s4 = smarthost_session("08D3AF1C2B3D4E72", T("2016-07-18T16:10:13.519Z"))
    send_good(s3, 4571, "alan.reid@mynet.lan", 5310, "mynet.test02@gmail.com", "B2A9D40091C")
    send_envelope(s4, 4573, "alannah.shaw@mynet.lan", 4377, "orders@fabrikam.example")
    s4.ln("<", "554 5.7.1 <orders@fabrikam.example>: Relay access denied")
    s4.ln(">", "QUIT", dt=1)
    s4.ln("<", "221 2.0.0 Bye", dt=RTT)
    s4.ln("-", "", "Local", dt=1)

    # S5: the smart host drops the connection after the message body: no final reply, no QUIT.
    s5 = smarthost_session("08D3AF1C2B3D4E7E", T("2016-07-18T16:20:40.266Z"))
    send_envelope(s5, 4575, "alan.reid@mynet.lan", 7795, "f.lefevre.mynet@gmail.com")
    s5.ln("<", "250 2.1.5 Ok")
    s5.ln(">", "DATA", dt=1)
    s5.ln("<", "354 End data with <CR><LF>.<CR><LF>", dt=RTT - 1)
    s5.ln("-", "", "Remote", dt=3217)

    # S6: 5 minutes later the same message (internal id 4575) goes through.
    s6 = smarthost_session("08D3AF1C2B3D4E85", T("2016-07-18T16:25:41.090Z"))
    send_good(s6, 4575, "alan.reid@mynet.lan", 7795, "f.lefevre.mynet@gmail.com", "E7C03400A5B",
              body_ms=131)
    return [s1, s2, s3, s4, s5, s6]


# ---------------------------------------------------------------- EX13-1: SmtpReceive

RECV_CONN = "EX13-1\\Default EX13-1"
EX13_1_LOCAL = "192.168.1.31:25"
NETSCALER = "192.168.1.40"
PERM_ANON = "SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders"
PERM_EXCH = ("SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAuthenticationFlag "
             "SMTPAcceptAnySenderForSubmission SMTPAcceptAuthoritativeDomainSender BypassAntiSpam "
             "BypassMessageSizeLimit SMTPAcceptEXCH50 AcceptRoutingHeaders AcceptOrganizationHeaders "
             "SMTPAcceptXShadow")
# EHLO reply of a 2010 Hub's "Default <server>" connector, one line per extension.
EHLO_ANON = ["250-EX13-1.mynet.lan Hello [%s]", "250-SIZE 36700160", "250-PIPELINING", "250-DSN",
             "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-X-ANONYMOUSTLS", "250-AUTH NTLM",
             "250-X-EXPS GSSAPI NTLM", "250-8BITMIME", "250-BINARYMIME", "250 CHUNKING"]
EHLO_ANON_TLS = ["250-EX13-1.mynet.lan Hello [%s]", "250-SIZE 36700160", "250-PIPELINING", "250-DSN",
                 "250-ENHANCEDSTATUSCODES", "250-AUTH NTLM LOGIN", "250-X-EXPS GSSAPI NTLM",
                 "250-8BITMIME", "250-BINARYMIME", "250 CHUNKING"]
# After X-ANONYMOUSTLS from another Exchange server (no size limit: "250-SIZE" bare).
EHLO_EXCH_TLS = ["250-EX13-1.mynet.lan Hello [%s]", "250-SIZE", "250-PIPELINING", "250-DSN",
                 "250-ENHANCEDSTATUSCODES", "250-AUTH NTLM LOGIN", "250-X-EXPS GSSAPI NTLM",
                 "250-8BITMIME", "250-BINARYMIME", "250-CHUNKING", "250-XEXCH50", "250-XRDST",
                 "250 XSHADOW"]
EX13_1_CERT = [("", "Sending certificate"),
               ("CN=EX13-1", "Certificate subject"),
               ("CN=EX13-1", "Certificate issuer name"),
               (h("serial EX13-1", 32), "Certificate serial number"),
               (h("thumb EX13-1", 40), "Certificate thumbprint"),
               ("EX13-1;EX13-1.mynet.lan", "Certificate alternate names")]
LAN = 2            # ms round trip on the LAN (client behind the NetScaler: a bit more)


def rx_open(sid, start, ehlo, client_ip=NETSCALER, perms=PERM_ANON, ehlo_dt=23):
    s = Session("EX13-1", "receive", RECV_CONN, sid, EX13_1_LOCAL,
                "%s:%d" % (client_ip, port(sid)), start)
    s.ln("+")
    s.ln("*", perms, "Set Session Permissions")
    s.ln(">", "220 EX13-1.mynet.lan Microsoft ESMTP MAIL Service ready at " + banner_time(start))
    if ehlo:
        rx_ehlo(s, ehlo, EHLO_ANON, client_ip, dt=ehlo_dt)
    return s


def rx_ehlo(s, ehlo, lines, client_ip, dt):
    s.ln("<", "EHLO " + ehlo, dt=dt)
    for x in lines:
        s.ln(">", x.replace("%s", client_ip))


def rx_starttls(s, ehlo, verb="STARTTLS", lines=EHLO_ANON_TLS, client_ip=NETSCALER, hs_ms=81):
    s.ln("<", verb, dt=23)
    s.ln(">", "220 2.0.0 SMTP server ready")
    for d, c in EX13_1_CERT:
        s.ln("*", d, c)
    rx_ehlo(s, ehlo, lines, client_ip, dt=hs_ms)


def ctx_msg(s):
    """The '*' line Exchange writes when MAIL FROM is accepted: <sid>;<session start>;<n>."""
    return "%s;%s;0" % (s.sid, iso(s.rows[0][0]))


def rx_quit(s, dt=24):
    s.ln("<", "QUIT", dt=dt)
    s.ln(">", "221 2.0.0 Service closing transmission channel")
    s.ln("-", "", "Local", dt=1)


def rx_gmail_ok(sid, start, ehlo, mail_from, size, rcpts, msgid, iid, queued_at, rejected=()):
    """A Gmail delivery through the NetScaler: STARTTLS, pipelined MAIL+RCPT, DATA, queued."""
    s = rx_open(sid, start, ehlo)
    rx_starttls(s, ehlo)
    s.ln("<", "MAIL FROM:<%s> SIZE=%d" % (mail_from, size), dt=23)
    s.ln("*", ctx_msg(s), "receiving message")
    for r in rcpts:
        s.ln("<", "RCPT TO:<%s>" % r)
    s.ln(">", "250 2.1.0 Sender OK")
    for r in rcpts:
        s.ln(">", "550 5.1.1 User unknown" if r in rejected else "250 2.1.5 Recipient OK")
    s.ln("<", "DATA", dt=23)
    s.ln(">", "354 Start mail input; end with <CRLF>.<CRLF>")
    s.at(queued_at)
    s.ln(">", "250 2.6.0 %s [InternalId=%d] Queued mail for delivery" % (msgid, iid))
    rx_quit(s)
    return s


def build_recv():
    out = []
    # R1 21:12 a partner MTA that requires TLS: STARTTLS refused, it gives up.
    s = rx_open("08D3CA1E5B7C23A0", T("2016-08-27T21:12:04.118Z"), "mx1.partner.example")
    s.ln("<", "STARTTLS", dt=24)
    s.ln(">", "454 4.7.0 TLS not available due to temporary reason")
    rx_quit(s)
    out.append(s)

    # R2 21:20 the NetScaler's SMTP health monitor: banner, QUIT.
    s = rx_open("08D3CA1E5B7C23A1", T("2016-08-27T21:20:00.002Z"), None)
    rx_quit(s, dt=3)
    out.append(s)

    # Back pressure on EX13-1 (SubmissionQueue), 21:31-21:42: the MAIL FROM reply is
    # tarpitted 10 s, then 30 s, then 55 s. Nothing is queued.
    # R3: ack after 10 s, then the pressure reaches High: RCPT gets 452 4.3.1.
    s = rx_open("08D3CA1E5B7C23A2", T("2016-08-27T21:31:10.221Z"), "mail-qk0-f177.google.com")
    rx_starttls(s, "mail-qk0-f177.google.com")
    s.ln("<", "MAIL FROM:<billing.dept.test@gmail.com> SIZE=8412", dt=23)
    s.ln("*", ctx_msg(s), "receiving message")
    s.ln(">", "250 2.1.0 Sender OK", dt=10000)
    s.ln("<", "RCPT TO:<alan.reid@mynet.lan>", dt=24)
    s.ln(">", "452 4.3.1 Insufficient system resources")
    rx_quit(s)
    out.append(s)
    # R4: MAIL FROM answered after 30 s with 452 4.3.1.
    s = rx_open("08D3CA1E5B7C23A3", T("2016-08-27T21:36:42.605Z"), "mail-qt0-f169.google.com")
    rx_starttls(s, "mail-qt0-f169.google.com")
    s.ln("<", "MAIL FROM:<f.lefevre.mynet@gmail.com> SIZE=11733", dt=23)
    s.ln(">", "452 4.3.1 Insufficient system resources", dt=30000)
    rx_quit(s)
    out.append(s)
    # R5: ack after 55 s; RCPT and DATA accepted, then the sender drops the connection
    # while sending the body.
    s = rx_open("08D3CA1E5B7C23A4", T("2016-08-27T21:41:05.330Z"), "mail-yw0-f178.google.com")
    rx_starttls(s, "mail-yw0-f178.google.com")
    s.ln("<", "MAIL FROM:<mynet.test02@gmail.com> SIZE=5462", dt=23)
    s.ln("*", ctx_msg(s), "receiving message")
    s.ln(">", "250 2.1.0 Sender OK", dt=55000)
    s.ln("<", "RCPT TO:<alannah.shaw@mynet.lan>", dt=24)
    s.ln(">", "250 2.1.5 Recipient OK")
    s.ln("<", "DATA", dt=23)
    s.ln(">", "354 Start mail input; end with <CRLF>.<CRLF>")
    s.ln("-", "", "Remote", dt=4113)
    out.append(s)

    # R6 INBD-003 (seed: RECEIVE 21:54:05.731, iid 5214, source-context 08D3CA1E5B7C23A7;
    # 2016-08-27T21:54:05.402Z;0, client mail-yw0-f182.google.com, 5839 bytes).
    out.append(rx_gmail_ok("08D3CA1E5B7C23A7", T("2016-08-27T21:54:05.402Z"),
                           "mail-yw0-f182.google.com", "mynet.test01@gmail.com", 5131,
                           ["alan.reid@mynet.lan"],
                           "<CAD8wXn4Qp1sZr7Ty0Lm5Kc2Vb9Hg3Fj6Ue8Ao1Ni4Pd7Ws2Q@mail.gmail.com>", 5214,
                           T("2016-08-27T21:54:05.732Z")))
    # R7 INBD-005 (seed: RECEIVE 22:21:14.603, iid 5221, session start 22:21:14.251).
    out.append(rx_gmail_ok("08D3CA1E5B7C23AE", T("2016-08-27T22:21:14.251Z"),
                           "mail-qt0-f182.google.com", "mynet.test01@gmail.com", 5147,
                           ["alan.reid@mynet.lan"],
                           "<CAB1oVt6Xq3Rz8Ns5Wm2Jy7Lc4Kd0Ha9Pb6Ge3Uf1Zq8Sn5Tw@mail.gmail.com>", 5221,
                           T("2016-08-27T22:21:14.604Z")))

    # R8 INBD-006 from EX13-2 (seed: EX13-1 RECEIVE 22:33:47.980 iid 5226, session start
    # 22:33:47.802; EX13-2 SEND 22:33:47.996 with [InternalId=5226]). Hub to hub:
    # X-ANONYMOUSTLS, Exchange authentication, BDAT.
    s = Session("EX13-1", "receive", RECV_CONN, "08D3CA1E5B7C23B5", EX13_1_LOCAL,
                "192.168.1.32:%d" % port("08D3CA1E5B7C23B5"), T("2016-08-27T22:33:47.802Z"))
    s.ln("+")
    s.ln("*", PERM_ANON, "Set Session Permissions")
    s.ln(">", "220 EX13-1.mynet.lan Microsoft ESMTP MAIL Service ready at " + banner_time(s.t))
    rx_ehlo(s, "EX13-2.mynet.lan", EHLO_ANON, "192.168.1.32", dt=LAN)
    s.ln("<", "X-ANONYMOUSTLS", dt=LAN)
    s.ln(">", "220 2.0.0 SMTP server ready")
    for d, c in EX13_1_CERT:
        s.ln("*", d, c)
    rx_ehlo(s, "EX13-2.mynet.lan", EHLO_EXCH_TLS, "192.168.1.32", dt=41)
    s.ln("<", "X-EXPS GSSAPI", dt=LAN)
    s.ln(">", "235 <authentication response>", dt=37)
    s.ln("*", PERM_EXCH, "Set Session Permissions")
    s.ln("*", "MYNET\\EX13-2$", "authenticated")
    s.ln("<", "MAIL FROM:<mynet.test01@gmail.com> SIZE=6141", dt=LAN)
    s.ln("*", ctx_msg(s), "receiving message")
    s.ln("<", "RCPT TO:<alan.reid@mynet.lan>")
    s.ln(">", "250 2.1.0 Sender OK")
    s.ln(">", "250 2.1.5 Recipient OK")
    s.ln("<", "BDAT 6141 LAST", dt=LAN)
    s.at(T("2016-08-27T22:33:47.981Z"))
    s.ln(">", "250 2.6.0 <CAG7pXw0Mr4Tz9Qn2Vb6Lk8Yc1Jd5Hs3Fe7Ua0Oi2Gt9Wq4Pm@mail.gmail.com> "
         "[InternalId=5226] Queued mail for delivery")
    rx_quit(s, dt=LAN)
    out.append(s)

    # R9 a sender-verification callout that spans midnight: it starts in RECV20160827-1.LOG
    # and goes on in RECV20160828-1.LOG with the same session id and the next sequence number.
    s = rx_open("08D3CA1E5B7C23B6", T("2016-08-27T23:59:58.640Z"), "mx2.callout.example",
                ehlo_dt=463)
    s.ln("<", "MAIL FROM:<>", dt=809)
    s.ln("*", ctx_msg(s), "receiving message")
    s.at(T("2016-08-28T00:00:00.134Z"))
    s.ln("<", "RCPT TO:<alan.reid@mynet.lan>")
    s.ln(">", "250 2.1.0 Sender OK", dt=1)
    s.ln(">", "250 2.1.5 Recipient OK")
    rx_quit(s, dt=253)
    out.append(s)

    # R10 07:42 password guessing on port 25: STARTTLS, AUTH LOGIN, 535.
    s = rx_open("08D3CA1E5B7C23B8", T("2016-08-28T07:42:13.507Z"), "WIN-8P3K2R1Q0TB")
    rx_starttls(s, "WIN-8P3K2R1Q0TB", hs_ms=312)
    s.ln("<", "AUTH LOGIN", dt=171)
    s.ln(">", "334 <authentication response>")
    s.ln(">", "334 <authentication response>", dt=166)
    s.ln("*", "", "Inbound AUTH LOGIN failed because of LogonDenied", dt=203)
    s.ln(">", "535 5.7.3 Authentication unsuccessful")
    s.ln("-", "", "Remote", dt=181)
    out.append(s)

    # R11 the seed's d2 message (RECEIVE 14:58:47.316, iid 5268, session start 14:58:46.944,
    # to alannah.shaw only): a second recipient, a typo, is refused at RCPT.
    out.append(rx_gmail_ok("08D3CA1E5B7C23BC", T("2016-08-28T14:58:46.944Z"),
                           "mail-qk0-f173.google.com", "f.lefevre.mynet@gmail.com", 6590,
                           ["a.shaw@mynet.lan", "alannah.shaw@mynet.lan"],
                           "<CAE2nYq5Tw9Lx3Pr7Kz0Vm4Jb8Hs1Gd6Fc2Ua9Ro5Ni3Qe7Wt@mail.gmail.com>", 5268,
                           T("2016-08-28T14:58:47.317Z"), rejected=("a.shaw@mynet.lan",)))
    return out


# ---------------------------------------------------------------- NOHDR: no header at all

def build_nohdr():
    """2016/2019 shapes (one-line EHLO reply, combined certificate line, TLS cipher line)."""
    conn = "MAIL01\\Default Frontend MAIL01"
    loc = "192.0.2.10:25"
    a = Session("MAIL01", "receive", conn, "08DC1DC0A13F5E21", loc, "198.51.100.77:" + str(port("nohdr a")),
                T("2024-01-25T15:14:39.019Z"))
    b = Session("MAIL01", "receive", conn, "08DC1DC0A13F5E22", loc, "203.0.113.45:" + str(port("nohdr b")),
                T("2024-01-25T15:14:39.412Z"))

    def banner(sess):
        return "220 mail01.contoso.example Microsoft ESMTP MAIL Service ready at " + \
            banner_time(sess.t, offset_h=1, zone="+0100")
    ext = ("SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM "
           "X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING SMTPUTF8")
    ext_tls = ("SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM LOGIN X-EXPS GSSAPI NTLM "
               "8BITMIME BINARYMIME CHUNKING SMTPUTF8")
    a.ln("+")
    a.ln(">", banner(a), dt=7)
    a.ln("<", "EHLO mta7.fabrikam.example", dt=38)
    a.ln(">", "250  mail01.contoso.example Hello [198.51.100.77] " + ext, dt=1)
    a.ln("<", "STARTTLS", dt=36)
    a.ln(">", "220 2.0.0 SMTP server ready")
    b.ln("+")
    b.ln(">", banner(b), dt=6)
    a.ln("*", " CN=mail01.contoso.example CN=Contoso Issuing CA 1 %s %s 2023-06-01T00:00:00.000Z "
         "2025-06-01T23:59:59.000Z mail01.contoso.example;autodiscover.contoso.example"
         % (h("nohdr serial", 32), h("nohdr thumb", 40)),
         "Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after "
         "Subject alternate names", dt=1)
    a.ln("*", "", "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption "
         "algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with "
         "strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits", dt=74)
    a.ln("<", "EHLO mta7.fabrikam.example", dt=37)
    a.ln("*", "", "Client certificate chain validation status: 'EmptyCertificate'", dt=1)
    a.ln("*", "", "TlsDomainCapabilities='None'; Status='NoRemoteCertificate'")
    a.ln(">", "250  mail01.contoso.example Hello [198.51.100.77] " + ext_tls)
    a.ln("*", PERM_ANON, "Set Session Permissions", dt=38)
    a.ln("<", "MAIL FROM:<invoices@fabrikam.example> SIZE=48211")
    a.ln("*", ctx_msg(a), "receiving message")
    a.ln("<", "RCPT TO:<ap@contoso.example>")
    a.ln(">", "250 2.1.0 Sender OK", dt=1)
    a.ln(">", "250 2.1.5 Recipient OK")
    a.ln("<", "DATA", dt=37)
    a.ln(">", "354 Start mail input; end with <CRLF>.<CRLF>")
    a.ln(">", "250 2.6.0 <4f1c9e0b7a2d4c3e9b85a6d01e2f7c44@fabrikam.example> [InternalId=30872224981001, "
         "Hostname=MAIL01.contoso.example] 49187 bytes in 0.184, 261.053 KB/sec Queued mail for delivery",
         dt=212)
    b.ln("-", "", "Remote", dt=3007)
    a.ln("<", "QUIT", dt=2873)
    a.ln(">", "221 2.0.0 Closing connection.")
    a.ln("-", "", "Local")
    return [a, b]


# ---------------------------------------------------------------- bad/: malformed lines among good ones

BAD_REL = os.path.join("bad", "SmtpSend", "SEND20160901-1.LOG")
# (1-based physical line number, what is wrong). Line 1 starts with the BOM.
BAD_LINES = {}


def build_bad(root):
    conn = SEND_CONN
    g1 = Session("BAD", "send", conn, "08D3D25A7E014C11", "192.168.1.31:%d" % port("bad g1"),
                 SMARTHOST, T("2016-09-01T10:00:07.104Z"))
    g1.ln("*", "", "attempting to connect", local="")
    g1.ln("+", dt=12)
    g1.ln("<", "220 ESMTP ready", dt=RTT)
    g1.ln(">", "EHLO EX13-1.mynet.lan", dt=1)
    g1.ln("<", "250-relay.smarthost.example", dt=RTT)
    g1.ln("<", "250-PIPELINING")
    g1.ln("<", "250-SIZE 36700160")
    g1.ln("<", "250 8BITMIME")
    g1.ln("*", "3349", "sending message", dt=1)
    g1.ln(">", "MAIL FROM:<alan.reid@mynet.lan> SIZE=2210")
    g1.ln(">", "RCPT TO:<mynet.test01@gmail.com>")
    g1.ln("<", "250 2.1.0 Ok", dt=RTT)
    g1.ln("<", "250 2.1.5 Ok")
    g1.ln(">", "DATA", dt=1)
    g1.ln("<", "354 End data with <CR><LF>.<CR><LF>", dt=RTT - 1)
    g1.ln("<", "250 2.0.0 Ok: queued as 5D0E1400C3A", dt=88)
    g1.ln(">", "QUIT", dt=1)
    g1.ln("<", "221 2.0.0 Bye", dt=RTT)
    g1.ln("-", "", "Local", dt=1)
    g2 = Session("BAD", "send", conn, "08D3D25A7E014C19", "", SMARTHOST, T("2016-09-01T10:04:51.730Z"))
    g2.ln("*", "", "attempting to connect")
    g2.ln("*", "", "Failed to connect. Winsock error code: 10061, Win32 error code: 10061, "
          "Destination domain: relay.smarthost.example, Error Message: No connection could be "
          "made because the target machine actively refused it 198.51.100.25:25.", dt=1008)

    good = sorted(g1.rows + g2.rows, key=lambda r: (r[0], r[1], r[2]))

    def L(r):
        (ms, _o, seq, c, sid, loc, rem, ev, data, ctx) = r
        return ",".join([iso(ms), enc(c), sid, str(seq), loc, rem, ev, enc(data), enc(ctx)])
    body = [L(r) for r in good]
    # Malformed lines, each with its own session id so the good sessions stay contiguous.
    # (index of the good line it follows, what is wrong, text); times fit their neighbours.
    bad = [
        (1, "bad date-time (hour 25)",
         "2016-09-01T25:00:07.116Z,MYNET-SendConn-1,08D3D25A7E014C12,0,,198.51.100.25:25,*,,attempting to connect"),
        (3, "8 columns (context missing)",
         "2016-09-01T10:00:07.146Z,MYNET-SendConn-1,08D3D25A7E014C13,0,,198.51.100.25:25,*,attempting to connect"),
        (8, "event '?'",
         "2016-09-01T10:00:07.176Z,MYNET-SendConn-1,08D3D25A7E014C14,3,192.168.1.31:40112,198.51.100.25:25,?,EHLO EX13-1.mynet.lan,"),
        (14, "unterminated quote",
         '2016-09-01T10:00:07.234Z,MYNET-SendConn-1,08D3D25A7E014C15,1,,198.51.100.25:25,*,,"Failed to connect. '
         'Winsock error code: 10060, Win32 error code: 10060'),
        (18, "non-numeric sequence-number",
         "2016-09-01T10:00:07.353Z,MYNET-SendConn-1,08D3D25A7E014C16,x3,192.168.1.31:40190,198.51.100.25:25,<,250 2.1.5 Ok,"),
    ]
    lines = []
    for i, text in enumerate(body):
        lines.append(text)
        for (after, why, bad_text) in bad:
            if after == i:
                lines.append(bad_text)
                BAD_LINES[5 + len(lines)] = why      # 5 header lines before the body
    hdr = ["#Software: Microsoft Exchange Server", "#Version: " + VERSION,
           "#Log-type: SMTP Send Protocol Log", "#Date: " + iso(good[0][0] + 1412), "#Fields: " + FIELDS]
    text = "".join(x + "\r\n" for x in hdr + lines)
    path = os.path.join(root, BAD_REL)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return [g1, g2]


# ---------------------------------------------------------------- the session table (README)

# (file(s), session id) -> (direction, what happens, outcome, class, joins)
SEND_F = "EX13-2/…/SmtpSend/SEND20160718-1.LOG"
R27 = "EX13-1/…/SmtpReceive/RECV20160827-1.LOG"
R28 = "EX13-1/…/SmtpReceive/RECV20160828-1.LOG"
META = [
    (SEND_F, "08D3AF1C2B3D4E5F", "send", "seed blog session: TLS, AUTH LOGIN, `*,4568,sending message`, "
     "queued as 054E2400836 (55 lines)", "ok", "ok",
     "EX13-2 SEND 2016-07-18T15:57:16.912Z, iid 4568, OutBound-001 `<5386E0BE…@EX13-1.mynet.lan>`"),
    (SEND_F, "08D3AF1C2B3D4E6A", "send", "smart host does not answer: Winsock 10060 after 21 s; "
     "no `+`, no `-`, empty local endpoint", "failed", "connect-failed", "none"),
    (SEND_F, "08D3AF1C2B3D4E71", "send", "retry, runs in parallel with …72 (lines interleave); "
     "iid 4571 to mynet.test02@gmail.com, queued as B2A9D40091C", "ok", "ok", "none (iid 4571 is not in the seed)"),
    (SEND_F, "08D3AF1C2B3D4E72", "send", "iid 4573: RCPT answered `554 5.7.1 <orders@fabrikam.example>: "
     "Relay access denied`, QUIT", "failed", "relay-denied", "none (iid 4573 is not in the seed)"),
    (SEND_F, "08D3AF1C2B3D4E7E", "send", "iid 4575: DATA, 354, body sent, then `-,,Remote`: no final reply, "
     "no QUIT", "failed", "dropped", "none (iid 4575 is not in the seed)"),
    (SEND_F, "08D3AF1C2B3D4E85", "send", "retry of iid 4575 (same `*,4575,sending message`), queued as "
     "E7C03400A5B", "ok", "ok", "none (iid 4575 is not in the seed)"),
    (R27, "08D3CA1E5B7C23A0", "receive", "mx1.partner.example (requires TLS): STARTTLS answered "
     "`454 4.7.0 TLS not available due to temporary reason`, QUIT", "failed", "tls-failed", "none"),
    (R27, "08D3CA1E5B7C23A1", "receive", "NetScaler health monitor: banner, QUIT; no EHLO", "ok", "ok", "none"),
    (R27, "08D3CA1E5B7C23A2", "receive", "back pressure: MAIL FROM acked 10 s late, RCPT "
     "`452 4.3.1 Insufficient system resources`, QUIT", "failed", "back-pressure", "none"),
    (R27, "08D3CA1E5B7C23A3", "receive", "back pressure: MAIL FROM answered 30 s late with "
     "`452 4.3.1 Insufficient system resources`, QUIT", "failed", "back-pressure", "none"),
    (R27, "08D3CA1E5B7C23A4", "receive", "back pressure: MAIL FROM acked 55 s late, RCPT/DATA accepted, "
     "sender drops during the body (`-,,Remote`)", "failed", "dropped", "none"),
    (R27, "08D3CA1E5B7C23A7", "receive", "INBD-003 from Gmail via the NetScaler, STARTTLS, "
     "`[InternalId=5214]`", "ok", "ok",
     "EX13-1 RECEIVE 21:54:05.731, iid 5214, source-context `08D3CA1E5B7C23A7;2016-08-27T21:54:05.402Z;0`"),
    (R27, "08D3CA1E5B7C23AE", "receive", "INBD-005 from Gmail, `[InternalId=5221]`", "ok", "ok",
     "EX13-1 RECEIVE 22:21:14.603, iid 5221"),
    (R27, "08D3CA1E5B7C23B5", "receive", "INBD-006 from EX13-2: X-ANONYMOUSTLS, X-EXPS GSSAPI, BDAT, "
     "`[InternalId=5226]`", "ok", "ok",
     "EX13-1 RECEIVE 22:33:47.980, iid 5226; EX13-2 SEND 22:33:47.996 `[InternalId=5226]`"),
    (R27 + " + " + R28, "08D3CA1E5B7C23B6", "receive", "sender-verification callout across midnight: "
     "seq 0-17 before 00:00, seq 18-23 after; `MAIL FROM:<>`, RCPT OK, QUIT, no DATA", "ok", "ok", "none"),
    (R28, "08D3CA1E5B7C23B8", "receive", "password guessing: STARTTLS, AUTH LOGIN, "
     "`535 5.7.3 Authentication unsuccessful`, `-,,Remote`", "failed", "auth-failed", "none"),
    (R28, "08D3CA1E5B7C23BC", "receive", "seed d2 message: RCPT a.shaw@ `550 5.1.1 User unknown`, "
     "RCPT alannah.shaw@ OK, `[InternalId=5268]`", "partial", "rejected-recipient",
     "EX13-1 RECEIVE 14:58:47.316, iid 5268 (recipient alannah.shaw only)"),
    ("NOHDR/SmtpReceive/RECV20240125-1.LOG", "08DC1DC0A13F5E21", "receive", "2016/2019 shapes: one-line EHLO "
     "reply, combined certificate line, cipher line, queued with `[InternalId=…, Hostname=…]` (quoted)",
     "ok", "ok", "none"),
    ("NOHDR/SmtpReceive/RECV20240125-1.LOG", "08DC1DC0A13F5E22", "receive", "banner grab: connect, banner, "
     "`-,,Remote`; lines interleave with …21", "failed", "dropped", "none"),
    ("bad/SmtpSend/SEND20160901-1.LOG", "08D3D25A7E014C11", "send", "good session around the malformed lines, "
     "queued as 5D0E1400C3A", "ok", "ok", "none"),
    ("bad/SmtpSend/SEND20160901-1.LOG", "08D3D25A7E014C19", "send", "Winsock 10061 (refused)", "failed",
     "connect-failed", "none"),
]


def print_table():
    print("| File | Session id | Dir. | What happens | Outcome | Class | Joins |")
    print("|---|---|---|---|---|---|---|")
    for (f, sid, d, what, oc, fc, joins) in META:
        print("| `%s` | `%s` | %s | %s | %s | %s | %s |" % (f, sid, d, what, oc, fc, joins))


# ---------------------------------------------------------------- writing

SEND_REL = os.path.join("EX13-2", "TransportRoles", "Logs", "ProtocolLog", "SmtpSend", "SEND20160718-1.LOG")
RECV_DIR = os.path.join("EX13-1", "TransportRoles", "Logs", "ProtocolLog", "SmtpReceive")
NOHDR_REL = os.path.join("NOHDR", "SmtpReceive", "RECV20240125-1.LOG")


def write_all(root):
    del ALL[:]
    BAD_LINES.clear()
    send = build_send()
    write_log(os.path.join(root, SEND_REL), [r for s in send for r in s.rows],
              "SMTP Send Protocol Log", date_lag_ms=9467)
    recv = build_recv()
    rows = [r for s in recv for r in s.rows]
    for day, lag in (("20160827", 11204), ("20160828", 9871)):
        part = [r for r in rows if iso(r[0]).replace("-", "")[:8] == day]
        write_log(os.path.join(root, RECV_DIR, "RECV%s-1.LOG" % day), part,
                  "SMTP Receive Protocol Log", date_lag_ms=lag)
    nohdr = build_nohdr()
    write_log(os.path.join(root, NOHDR_REL), [r for s in nohdr for r in s.rows], None)
    build_bad(root)
    return sorted(glob.glob(os.path.join(root, "**", "*.LOG"), recursive=True))


# ---------------------------------------------------------------- checking

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
errors = []


def err(msg):
    errors.append(msg)


def parse_line(line):
    rows = list(csv.reader([line]))
    return rows[0] if len(rows) == 1 else None


def check_row(rel, num, line, day):
    """None when good, else a reason. Returns (reason, fields)."""
    if line.count('"') % 2:
        return "unterminated quote", None
    f = parse_line(line)
    if f is None:
        return "unparsable", None
    if len(f) != 9:
        return "%d columns" % len(f), f
    if ",".join(enc(x) for x in f) != line:
        return "quoting differs from the comma-only rule", f
    if not TS.match(f[0]):
        return "bad date-time", f
    try:
        T(f[0])
    except ValueError:
        return "bad date-time", f
    if day and f[0][:10].replace("-", "") != day:
        return "row date is not the file's date", f
    if not re.fullmatch(r"[0-9A-F]{16}", f[2]):
        return "bad session id", f
    if not f[3].isdigit():
        return "non-numeric sequence-number", f
    if f[6] not in ("+", "-", ">", "<", "*"):
        return "bad event", f
    return None, f


def check_files(root):
    del errors[:]
    paths = sorted(glob.glob(os.path.join(root, "**", "*.LOG"), recursive=True))
    seqs = {}            # (top folder, direction, sid) -> [seq...] in file order
    sessions_seen = {}   # sid -> set of files
    queued = {}          # (top, sid) -> [(time, reply)]
    firsts = {}          # (top, sid) -> first row
    lasts = {}
    rows_by_sid = {}
    nrows = 0
    for p in paths:
        rel = os.path.relpath(p, root)
        raw = open(p, "rb").read()
        headered = not rel.startswith("NOHDR")
        if headered:
            if not raw.startswith(b"\xef\xbb\xbf"):
                err("%s: no BOM" % rel)
            raw = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        if b"\xef\xbb\xbf" in raw:
            err("%s: BOM not at offset 0" % rel)
        if not raw.endswith(b"\r\n") or raw.count(b"\n") != raw.count(b"\r\n") or raw.count(b"\r") != raw.count(b"\r\n"):
            err("%s: not CRLF throughout" % rel)
        lines = raw.decode("utf-8").split("\r\n")[:-1]
        if headered:
            want_type = "SMTP Send Protocol Log" if "SmtpSend" in rel else "SMTP Receive Protocol Log"
            if lines[:3] != ["#Software: Microsoft Exchange Server", "#Version: " + VERSION, "#Log-type: " + want_type]:
                err("%s: header lines 1-3" % rel)
            if not re.match(r"^#Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", lines[3]):
                err("%s: #Date" % rel)
            if lines[4] != "#Fields: " + FIELDS:
                err("%s: #Fields" % rel)
            body = list(enumerate(lines[5:], start=6))
        else:
            if any(x.startswith("#") for x in lines):
                err("%s: has # lines" % rel)
            body = list(enumerate(lines, start=1))
        day = re.search(r"(\d{8})-\d+\.LOG$", rel).group(1)
        prev = None
        top = rel.split(os.sep)[0]
        direction = "send" if "SmtpSend" in rel else "receive"
        for num, line in body:
            why, f = check_row(rel, num, line, day)
            if rel == BAD_REL:
                if (why is not None) != (num in BAD_LINES):
                    err("%s:%d: expected %s, got %s" % (rel, num, BAD_LINES.get(num, "good"), why))
                if why is not None:
                    continue
            elif why is not None:
                err("%s:%d: %s" % (rel, num, why))
                continue
            nrows += 1
            ms = T(f[0])
            if prev is not None and ms < prev:
                err("%s:%d: time goes backwards" % (rel, num))
            prev = ms
            key = (top, direction, f[2])
            seqs.setdefault(key, []).append(int(f[3]))
            sessions_seen.setdefault(f[2], set()).add(rel)
            firsts.setdefault((top, f[2]), (ms, f))
            lasts[(top, f[2])] = (ms, f)
            rows_by_sid.setdefault((top, f[2]), []).append((ms, f))
            if f[7].startswith("250 2.6.0") or "queued as" in f[7]:
                queued.setdefault((top, f[2]), []).append((ms, f[7]))
    for key, s in seqs.items():
        if s != list(range(len(s))):
            err("%s %s %s: sequence numbers not 0..n-1 in order: %s" % (key + (s,)))
    # the session table lists every session, once
    meta_ids = [m[1] for m in META]
    if sorted(meta_ids) != sorted(set(meta_ids)) or set(meta_ids) != set(sessions_seen):
        err("META and files disagree: %s" % sorted(set(meta_ids) ^ set(sessions_seen)))
    check_joins(firsts, lasts, queued, rows_by_sid)
    return paths, nrows, len(seqs)


def seed_rows(server, day):
    p = os.path.join(SEED, server, "TransportRoles", "Logs", "MessageTracking", "MSGTRK%s-1.LOG" % day)
    txt = open(p, "rb").read().decode("utf-8-sig")
    lines = [x for x in txt.split("\r\n") if x]
    names = lines[4][len("#Fields: "):].split(",")
    return [dict(zip(names, next(csv.reader([x])))) for x in lines[5:]]


def check_joins(firsts, lasts, queued, rows_by_sid):
    top = "EX13-1"
    ex13_1_joined = set()
    for day in ("20160827", "20160828"):
        for r in seed_rows("EX13-1", day):
            if r["event-id"] != "RECEIVE" or r["source"] != "SMTP":
                continue
            sid, start, _n = r["source-context"].split(";")
            ex13_1_joined.add(sid)
            if (top, sid) not in firsts:
                err("seed RECEIVE %s: no session %s" % (r["internal-message-id"], sid))
                continue
            ms0, f0 = firsts[(top, sid)]
            if iso(ms0) != start:
                err("session %s starts %s, seed says %s" % (sid, iso(ms0), start))
            want = "250 2.6.0 %s [InternalId=%s] Queued mail for delivery" % (r["message-id"], r["internal-message-id"])
            q = queued.get((top, sid), [])
            if [x[1] for x in q] != [want]:
                err("session %s: queued %s, want %s" % (sid, q, want))
            elif not (0 <= q[0][0] - T(r["date-time"]) <= 50):
                err("session %s: queued reply at %s, RECEIVE at %s" % (sid, iso(q[0][0]), r["date-time"]))
            rcpts = [f[7] for _ms, f in rows_by_sid[(top, sid)] if f[7].startswith("RCPT TO:")]
            ok_rcpts = set(r["recipient-address"].split(";"))
            if not ok_rcpts <= {x[len("RCPT TO:<"):-1] for x in rcpts}:
                err("session %s: RCPTs %s do not cover %s" % (sid, rcpts, ok_rcpts))
            if not any(f[7] == "EHLO " + r["client-hostname"] for _ms, f in rows_by_sid[(top, sid)]):
                err("session %s: EHLO is not %s" % (sid, r["client-hostname"]))
    for (t, sid), q in queued.items():
        if t == top and sid not in ex13_1_joined:
            err("EX13-1 session %s queues a message with no RECEIVE in the seed" % sid)
    # OutBound-001 on EX13-2
    send = [r for r in seed_rows("EX13-2", "20160718") if r["event-id"] == "SEND"]
    if len(send) != 1:
        err("seed: expected one SEND on EX13-2 2016-07-18")
        return
    r = send[0]
    key = ("EX13-2", "08D3AF1C2B3D4E5F")
    rows = [f for _ms, f in rows_by_sid.get(key, [])]
    if len(rows) != 55:
        err("OutBound-001 session has %d lines, want 55" % len(rows))
    if ["*", r["internal-message-id"], "sending message"] not in [f[6:] for f in rows]:
        err("OutBound-001 session: no '*,%s,sending message'" % r["internal-message-id"])
    qid = r["source-context"].split(";")[1]
    if [x[1] for x in queued.get(key, [])] != [qid]:
        err("OutBound-001 session: queued reply is not %r" % qid)
    if ">,RCPT TO:<%s>" % r["recipient-address"] not in [",".join(f[6:8]) for f in rows]:
        err("OutBound-001 session: RCPT TO is not %s" % r["recipient-address"])
    if not any(f[7].startswith("MAIL FROM:<%s> " % r["return-path"]) for f in rows):
        err("OutBound-001 session: MAIL FROM is not %s" % r["return-path"])
    if not lasts[key][0] < T(r["date-time"]):
        err("OutBound-001 session ends %s, after the SEND row %s" % (iso(lasts[key][0]), r["date-time"]))
    if rows[0][4] != "" or rows[1][4] == "":
        err("OutBound-001: local endpoint must be empty on seq 0 only")


def main():
    if "--table" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            write_all(tmp)
        print_table()
        return 0
    if "--check" in sys.argv:
        tmpdir = tempfile.TemporaryDirectory()
        tmp = tmpdir.name
        fresh = write_all(tmp)
        for p in fresh:
            rel = os.path.relpath(p, tmp)
            mine = os.path.join(HERE, rel)
            if not os.path.exists(mine) or not filecmp.cmp(p, mine, shallow=False):
                err("%s: committed file differs from make_fixtures.py output" % rel)
        committed = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "**", "*.LOG"), recursive=True))
        fresh_rel = sorted(os.path.relpath(p, tmp) for p in fresh)
        tmpdir.cleanup()
        if committed != fresh_rel:
            err("set of .LOG files differs")
        pre = list(errors)
        paths, nrows, nsess = check_files(HERE)
        errors[:0] = pre
    else:
        write_all(HERE)
        paths, nrows, nsess = check_files(HERE)
    for e in errors:
        print("ERROR", e)
    print("%d files, %d good rows, %d sessions, %d malformed lines (expected), %d errors"
          % (len(paths), nrows, nsess, len(BAD_LINES), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
