#!/usr/bin/env python3
"""gen_seed.py -- writes the SYNTHETIC Exchange 2010 SP3 message tracking fixtures
under tests/data/seed/EX13-1/ and tests/data/seed/EX13-2/.

The data is hand-written from the seed blog posts (Exchange 2010 SP3 two-server DAG,
EX13-1 / EX13-2, mynet.lan). It is NOT a real log. Every row is listed explicitly
below; the helpers only do the CSV encoding and enforce the invariants:
  * recipient-count == number of ';'-separated recipients (empty when no recipients)
  * recipient-status, when present, has one entry per recipient (aligned)
  * rows of one file are written in strictly increasing time order (asserted)
  * a field is CSV-quoted only when it contains a comma; embedded quotes are doubled
  * UTF-8 BOM at the very start of the file, CRLF after every line (also the last)

The produced .LOG files are committed; tests read them and never run this script.
Run from anywhere:  python3 tests/data/seed/gen_seed.py
Output must be byte-identical to the committed files (it is deterministic).
"""
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

FIELDS = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"
          "connector-id,source,event-id,internal-message-id,message-id,recipient-address,"
          "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
          "message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
          "original-client-ip,original-server-ip,custom-data").split(",")
assert len(FIELDS) == 26

VERSION = "14.03.0123.003"   # Exchange 2010 SP3 RTM build, as asked in the brief

# ---------------------------------------------------------------- the lab
EX1, EX2 = "EX13-1", "EX13-2"
FQDN = {EX1: "EX13-1.mynet.lan", EX2: "EX13-2.mynet.lan"}
IP4 = {EX1: "192.168.1.31", EX2: "192.168.1.32"}
# link-local address of EX13-1 is the one printed in the seed (SUBMIT ClientIp)
IP6 = {EX1: "fe80::a179:11fd:2f31:9329%16", EX2: "fe80::5d2c:7e41:a8b3:1f06%11"}
NETSCALER = "192.168.1.40"            # NetScaler VPX SNIP: what Exchange sees as client
SMARTHOST_IP = "198.51.100.25"         # documentation range; stands for the No-IP relay
SMARTHOST = "relay.smarthost.example"
SENDCONN = "MYNET-SendConn-1"
INTRAORG = "Intra-Organization SMTP Send Connector"
RECVCONN = {EX1: "EX13-1\\Default EX13-1", EX2: "EX13-2\\Default EX13-2"}

MDB = "8e5f7c9a-31d2-4b6e-9f0a-2c7d41e6b5a3"          # DB1
MAILBOX = {"alan.reid@mynet.lan": "a3c1e9d2-5b7f-4e21-8d36-0f9b2c4e7a18",
           "alannah.shaw@mynet.lan": "c7d24f61-9e3a-4b85-a1f0-6e2d8b3c5f94"}
ALAN, ALANNAH = "alan.reid@mynet.lan", "alannah.shaw@mynet.lan"
GMAIL1, GMAIL2 = "mynet.test01@gmail.com", "mynet.test02@gmail.com"
NOSUCH = "nosuch.user@mynet.lan"
ALLSTAFF = "all-staff@mynet.lan"
DSN_SENDER = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@mynet.lan"

# SMTP receive session ids: per-server base (ticks of the service start) + counter,
# the way real ids look (same prefix, low part increments).
SESSION_BASE = {EX1: 0x08D3CA1E5B7C2000, EX2: 0x08D3CA1E6F01A400}
_session_n = {EX1: 0x3A0, EX2: 0x5C0}


def session(srv):
    _session_n[srv] += 7
    return "%016X" % (SESSION_BASE[srv] + _session_n[srv])


def item_entry_id(label):
    """Deterministic 70-byte MAPI entry id in the S:ItemEntryId=.. dash form (as in bom8)."""
    raw = b"\x00\x00\x00\x00"
    h = hashlib.sha256(label.encode()).digest() + hashlib.sha256(b"2" + label.encode()).digest()
    raw += h[:66]
    return "S:ItemEntryId=" + "-".join("%02X" % b for b in raw)


def mapi_ctx(sender, event, created):
    return ("MDB:%s, Mailbox:%s, Event:%d, MessageClass:IPM.Note, CreationTime:%s, ClientType:MOMT"
            % (MDB, MAILBOX[sender], event, created))


# ---------------------------------------------------------------- rows
rows = {}   # (server, filename) -> list of dict


def split_status(v):
    return re.split(r";(?=[245][0-9][0-9] [245]\.[0-9]{1,3}\.[0-9]{1,3}\b)", v)


def add(srv, fname, **kw):
    rec = {k: "" for k in FIELDS}
    for k, v in kw.items():
        key = k.replace("_", "-")
        assert key in rec, key
        rec[key] = "" if v is None else str(v)
    rcpts = [r for r in rec["recipient-address"].split(";") if r] if rec["recipient-address"] else []
    if rcpts:
        rec["recipient-count"] = str(len(rcpts))
        if rec["recipient-status"]:
            # a status text may itself contain ';' ("...RecipNotFound; not found"), so
            # statuses are split only where a new SMTP reply code starts.
            assert len(split_status(rec["recipient-status"])) == len(rcpts), rec
    else:
        assert rec["recipient-count"] == "" and rec["recipient-status"] == "", rec
    rows.setdefault((srv, fname), []).append(rec)


def notifymapi(srv, f, t, sender, event, created, label):
    add(srv, f, date_time=t, source_context=mapi_ctx(sender, event, created),
        source="STOREDRIVER", event_id="NOTIFYMAPI", custom_data=item_entry_id(label))


def submit(srv, f, t, hub, sender, event, created, msgid, subject):
    add(srv, f, date_time=t, client_ip=IP6[srv], client_hostname=srv, server_hostname=hub,
        source_context=mapi_ctx(sender, event, created), source="STOREDRIVER", event_id="SUBMIT",
        message_id=msgid, message_subject=subject, sender_address=sender,
        message_info="%s;LSRV=%s:TOTAL=1" % (created, FQDN[srv]), directionality="Originating")


def receive_store(srv, f, t, mbxsrv, iid, sender, event, created, msgid, rcpts, size, subject):
    add(srv, f, date_time=t, client_ip=IP4[mbxsrv], client_hostname=mbxsrv, server_ip=IP4[srv],
        server_hostname=srv, source_context=mapi_ctx(sender, event, created), source="STOREDRIVER",
        event_id="RECEIVE", internal_message_id=iid, message_id=msgid, recipient_address=rcpts,
        total_bytes=size, message_subject=subject, sender_address=sender, return_path=sender,
        message_info="04I: ", directionality="Originating")


def receive_smtp(srv, f, t, client_ip, helo, sess, sess_start, iid, msgid, rcpts, size, subject,
                 sender, direction="Incoming", idx=0):
    add(srv, f, date_time=t, client_ip=client_ip, client_hostname=helo, server_ip=IP4[srv],
        server_hostname=srv, source_context="%s;%s;%d" % (sess, sess_start, idx),
        connector_id=RECVCONN[srv], source="SMTP", event_id="RECEIVE", internal_message_id=iid,
        message_id=msgid, recipient_address=rcpts, total_bytes=size, message_subject=subject,
        sender_address=sender, return_path=sender, directionality=direction)


def transfer(srv, f, t, iid, newiid, msgid, rcpts, size, subject, sender, direction):
    add(srv, f, date_time=t, server_hostname=srv, source="ROUTING", event_id="TRANSFER",
        internal_message_id=iid, message_id=msgid, recipient_address=rcpts, total_bytes=size,
        reference=newiid, message_subject=subject, sender_address=sender, return_path=sender,
        directionality=direction)


def send_smarthost(srv, f, t, iid, msgid, rcpts, statuses, queue_id, size, subject, sender, orig):
    add(srv, f, date_time=t, client_ip=IP4[srv], client_hostname=srv, server_ip=SMARTHOST_IP,
        server_hostname=SMARTHOST,
        source_context=";250 2.0.0 Ok: queued as %s;ClientSubmitTime:" % queue_id,
        connector_id=SENDCONN, source="SMTP", event_id="SEND", internal_message_id=iid,
        message_id=msgid, recipient_address=rcpts, recipient_status=statuses, total_bytes=size,
        message_subject=subject, sender_address=sender, return_path=sender, message_info=orig,
        directionality="Originating")


def send_intraorg(srv, f, t, peer, iid, msgid, rcpts, next_iid, size, subject, sender, orig,
                  direction="Incoming"):
    n = len(rcpts.split(";"))
    add(srv, f, date_time=t, client_ip=IP4[srv], client_hostname=srv, server_ip=IP4[peer],
        server_hostname=FQDN[peer],
        source_context=";250 2.6.0 %s [InternalId=%d] Queued mail for delivery;ClientSubmitTime:"
        % (msgid, next_iid),
        connector_id=INTRAORG, source="SMTP", event_id="SEND", internal_message_id=iid,
        message_id=msgid, recipient_address=rcpts,
        recipient_status=";".join(["250 2.1.5 Recipient OK"] * n), total_bytes=size,
        message_subject=subject, sender_address=sender, return_path=sender, message_info=orig,
        directionality=direction)


def deliver(srv, f, t, mbxsrv, iid, msgid, rcpts, size, subject, sender, orig, direction,
            return_path=None):
    add(srv, f, date_time=t, client_hostname=srv, server_hostname=mbxsrv, source="STOREDRIVER",
        event_id="DELIVER", internal_message_id=iid, message_id=msgid, recipient_address=rcpts,
        total_bytes=size, message_subject=subject, sender_address=sender,
        return_path=sender if return_path is None else return_path, message_info=orig,
        directionality=direction)


# ================================================================ 2016-07-18
# (a) OutBound-001 -- DB1 active on EX13-1.  Local EDT 11:57:15 AM = 15:57:15Z.
D = "MSGTRK20160718-1.LOG"
OB1 = "<5386E0BEF5FB4E0A9C1D2B715075DC27@EX13-1.mynet.lan>"
S = "OutBound-001"
C = "2016-07-18T15:57:14.276Z"
notifymapi(EX1, D, "2016-07-18T15:57:14.391Z", ALAN, 1184207, C, "ob1")
submit(EX1, D, "2016-07-18T15:57:15.123Z", EX2, ALAN, 1184207, C, OB1, S)
receive_store(EX2, D, "2016-07-18T15:57:15.347Z", EX1, 4567, ALAN, 1184207, C, OB1, GMAIL1, 4873, S)
transfer(EX2, D, "2016-07-18T15:57:15.402Z", 4567, 4568, OB1, GMAIL1, 4873, S, ALAN, "Originating")
send_smarthost(EX2, D, "2016-07-18T15:57:16.912Z", 4568, OB1, GMAIL1, "250 2.1.5 Ok",
               "054E2400836", 6152, S, ALAN, C)

# (a') OutBound-004 -- after moving DB1 to EX13-2: the mirror path.
OB4 = "<9D2E47A1C03B4F6E8A51B7C2D94E0F13@EX13-2.mynet.lan>"
S = "OutBound-004"
C = "2016-07-18T16:31:02.518Z"
notifymapi(EX2, D, "2016-07-18T16:31:02.640Z", ALAN, 1184296, C, "ob4")
submit(EX2, D, "2016-07-18T16:31:03.377Z", EX1, ALAN, 1184296, C, OB4, S)
receive_store(EX1, D, "2016-07-18T16:31:03.589Z", EX2, 3102, ALAN, 1184296, C, OB4, GMAIL1, 4881, S)
transfer(EX1, D, "2016-07-18T16:31:03.641Z", 3102, 3103, OB4, GMAIL1, 4881, S, ALAN, "Originating")
send_smarthost(EX1, D, "2016-07-18T16:31:05.208Z", 3103, OB4, GMAIL1, "250 2.1.5 Ok",
               "2B7C1400A41", 6160, S, ALAN, C)

# ================================================================ 2016-08-27
# (b) inbound from Gmail through the NetScaler (round robin, not strict). DB1 on EX13-1.
D = "MSGTRK20160827-1.LOG"

# INBD-001: EX13-2 receives and delivers; DELIVER's server-hostname is EX13-1.
IN1 = "<CAH9kR3xV7pQm2Lw8N0yJt5sZ4uE6bFgD1aKc3Wn+Yo5hXrQw@mail.gmail.com>"
s = session(EX2)
receive_smtp(EX2, D, "2016-08-27T21:21:40.236Z", NETSCALER, "mail-qk0-f178.google.com", s,
             "2016-08-27T21:21:39.874Z", 6871, IN1, ALAN, 5843, "INBD-001", GMAIL1)
deliver(EX2, D, "2016-08-27T21:21:40.517Z", EX1, 6871, IN1, ALAN, 5843, "INBD-001", GMAIL1,
        "2016-08-27T21:21:38.000Z", "Incoming")

# INBD-002: same pattern.
IN2 = "<CAF3tq0Zb8mWnR5e2YxJ7kLp9uQvC4sHd6gT1oNa=Ej2VwK8Rg@mail.gmail.com>"
s = session(EX2)
receive_smtp(EX2, D, "2016-08-27T21:49:30.884Z", NETSCALER, "mail-qt0-f171.google.com", s,
             "2016-08-27T21:49:30.512Z", 6874, IN2, ALAN, 5851, "INBD-002", GMAIL1)
deliver(EX2, D, "2016-08-27T21:49:31.163Z", EX1, 6874, IN2, ALAN, 5851, "INBD-002", GMAIL1,
        "2016-08-27T21:49:29.000Z", "Incoming")

# INBD-003: EX13-1 receives, SENDs to EX13-2 ([InternalId=6876]), EX13-2 receives + delivers.
IN3 = "<CAD8wXn4Qp1sZr7Ty0Lm5Kc2Vb9Hg3Fj6Ue8Ao1Ni4Pd7Ws2Q@mail.gmail.com>"
s = session(EX1)
receive_smtp(EX1, D, "2016-08-27T21:54:05.731Z", NETSCALER, "mail-yw0-f182.google.com", s,
             "2016-08-27T21:54:05.402Z", 5214, IN3, ALAN, 5839, "INBD-003", GMAIL1)
s = session(EX2)
# the next hop's RECEIVE is written before the 250 reply, so it is a few ms EARLIER than
# the SEND on EX13-1 -- normal, not clock skew.
receive_smtp(EX2, D, "2016-08-27T21:54:06.398Z", IP4[EX1], FQDN[EX1], s,
             "2016-08-27T21:54:06.187Z", 6876, IN3, ALAN, 6120, "INBD-003", GMAIL1)
send_intraorg(EX1, D, "2016-08-27T21:54:06.412Z", EX2, 5214, IN3, ALAN, 6876, 6120, "INBD-003",
              GMAIL1, "2016-08-27T21:54:03.000Z")
deliver(EX2, D, "2016-08-27T21:54:06.655Z", EX1, 6876, IN3, ALAN, 6120, "INBD-003", GMAIL1,
        "2016-08-27T21:54:03.000Z", "Incoming")

# INBD-004: like INBD-001.
IN4 = "<CAJ5eLr2Wm8Nq0Xt4Zb7Ks1Yd9Pv3Hc6Gu2Fo8Ta5Rn1Mi4Ex@mail.gmail.com>"
s = session(EX2)
receive_smtp(EX2, D, "2016-08-27T21:58:20.119Z", NETSCALER, "mail-qk0-f169.google.com", s,
             "2016-08-27T21:58:19.760Z", 6879, IN4, ALAN, 5847, "INBD-004", GMAIL1)
deliver(EX2, D, "2016-08-27T21:58:20.402Z", EX1, 6879, IN4, ALAN, 5847, "INBD-004", GMAIL1,
        "2016-08-27T21:58:18.000Z", "Incoming")

# --- DB1 moved to EX13-2 (seed: "the next two test messages").
# INBD-005: EX13-1 (not holding the active copy) receives and delivers itself.
IN5 = "<CAB1oVt6Xq3Rz8Ns5Wm2Jy7Lc4Kd0Ha9Pb6Ge3Uf1Zq8Sn5Tw@mail.gmail.com>"
s = session(EX1)
receive_smtp(EX1, D, "2016-08-27T22:21:14.603Z", NETSCALER, "mail-qt0-f182.google.com", s,
             "2016-08-27T22:21:14.251Z", 5221, IN5, ALAN, 5855, "INBD-005", GMAIL1)
deliver(EX1, D, "2016-08-27T22:21:14.890Z", EX2, 5221, IN5, ALAN, 5855, "INBD-005", GMAIL1,
        "2016-08-27T22:21:12.000Z", "Incoming")

# INBD-006: EX13-2 (holding the active copy) receives, SENDs to EX13-1, which delivers.
IN6 = "<CAG7pXw0Mr4Tz9Qn2Vb6Lk8Yc1Jd5Hs3Fe7Ua0Oi2Gt9Wq4Pm@mail.gmail.com>"
s = session(EX2)
receive_smtp(EX2, D, "2016-08-27T22:33:47.372Z", NETSCALER, "mail-yw0-f170.google.com", s,
             "2016-08-27T22:33:47.015Z", 6893, IN6, ALAN, 5860, "INBD-006", GMAIL1)
s = session(EX1)
receive_smtp(EX1, D, "2016-08-27T22:33:47.980Z", IP4[EX2], FQDN[EX2], s,
             "2016-08-27T22:33:47.802Z", 5226, IN6, ALAN, 6141, "INBD-006", GMAIL1)
send_intraorg(EX2, D, "2016-08-27T22:33:47.996Z", EX1, 6893, IN6, ALAN, 5226, 6141, "INBD-006",
              GMAIL1, "2016-08-27T22:33:45.000Z")
deliver(EX1, D, "2016-08-27T22:33:48.241Z", EX2, 5226, IN6, ALAN, 6141, "INBD-006", GMAIL1,
        "2016-08-27T22:33:45.000Z", "Incoming")

# ================================================================ 2016-08-28 (UTC)
# (c) internal mail, DB1 on EX13-2. Local 8/27 10:45-11:30 PM EDT = 8/28 02:45-03:30Z.
D = "MSGTRK20160828-1.LOG"
I1 = "<4B7E19C2A85D4F30B6E2917C0D3FA845@EX13-2.mynet.lan>"
S = "int to int 1"
C = "2016-08-28T02:51:31.604Z"
notifymapi(EX2, D, "2016-08-28T02:51:31.712Z", ALAN, 1310456, C, "int1")
submit(EX2, D, "2016-08-28T02:51:32.455Z", EX1, ALAN, 1310456, C, I1, S)
receive_store(EX1, D, "2016-08-28T02:51:32.690Z", EX2, 5240, ALAN, 1310456, C, I1, ALANNAH, 3418, S)
deliver(EX1, D, "2016-08-28T02:51:33.021Z", EX2, 5240, I1, ALANNAH, 3418, S, ALAN, C, "Originating")

I2 = "<E06A3D5B91C74E2F8B40A6D1C75F2E98@EX13-2.mynet.lan>"
S = "RE: int to int 1"
C = "2016-08-28T03:04:10.118Z"
notifymapi(EX2, D, "2016-08-28T03:04:10.233Z", ALANNAH, 1310502, C, "int1re")
submit(EX2, D, "2016-08-28T03:04:11.061Z", EX1, ALANNAH, 1310502, C, I2, S)
receive_store(EX1, D, "2016-08-28T03:04:11.287Z", EX2, 5243, ALANNAH, 1310502, C, I2, ALAN, 5127, S)
deliver(EX1, D, "2016-08-28T03:04:11.602Z", EX2, 5243, I2, ALAN, 5127, S, ALANNAH, C, "Originating")

# (d1) two recipients, one unknown: FAIL 5.1.1 + DSN (reference = original message-id),
#      subject with commas and doubled quotes, starting with a quote.
M1 = "<7C2F0A9E64B14D8EA3F51C6B29D07E42@EX13-2.mynet.lan>"
NDR1 = "<3f6c1b0e-8d2a-4c57-9e41-7b2f0d6a9c13@EX13-1.mynet.lan>"
S = '"Q3 budget", final numbers, v2'
C = "2016-08-28T13:05:41.087Z"
notifymapi(EX2, D, "2016-08-28T13:05:41.208Z", ALAN, 1311877, C, "q3")
submit(EX2, D, "2016-08-28T13:05:41.930Z", EX1, ALAN, 1311877, C, M1, S)
receive_store(EX1, D, "2016-08-28T13:05:42.164Z", EX2, 5261, ALAN, 1311877, C, M1,
              ALANNAH + ";" + NOSUCH, 18734, S)
add(EX1, D, date_time="2016-08-28T13:05:42.201Z", server_hostname=EX1, source="ROUTING",
    event_id="FAIL", internal_message_id=5261, message_id=M1, recipient_address=NOSUCH,
    recipient_status="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", total_bytes=18734,
    message_subject=S, sender_address=ALAN, return_path=ALAN, message_info=C,
    directionality="Originating")
add(EX1, D, date_time="2016-08-28T13:05:42.388Z", server_hostname=EX1, source="DSN",
    event_id="DSN", internal_message_id=5262, message_id=NDR1, recipient_address=ALAN,
    total_bytes=22961, reference=M1, message_subject="Undeliverable: " + S,
    sender_address=DSN_SENDER, return_path="<>", directionality="Originating")
deliver(EX1, D, "2016-08-28T13:05:42.514Z", EX2, 5261, M1, ALANNAH, 18734, S, ALAN, C, "Originating")
deliver(EX1, D, "2016-08-28T13:05:42.701Z", EX2, 5262, NDR1, ALAN, 22961, "Undeliverable: " + S,
        DSN_SENDER, "2016-08-28T13:05:42.388Z", "Originating", return_path="<>")

# (d2) inbound from Gmail, non-ASCII UTF-8 subject, DEFER (x2) then DELIVER in the next
#      file instance MSGTRK20160828-2.LOG. Received by EX13-1 (not active) -> EX13-1 delivers.
M2 = "<CAE2nYq5Tw9Lx3Pr7Kz0Vm4Jb8Hs1Gd6Fc2Ua9Ro5Ni3Qe7Wt@mail.gmail.com>"
S = "Réunion d’équipe – café ☕ / Müller / 会議 📅"
GM3 = "f.lefevre.mynet@gmail.com"
s = session(EX1)
receive_smtp(EX1, D, "2016-08-28T14:58:47.316Z", NETSCALER, "mail-qk0-f173.google.com", s,
             "2016-08-28T14:58:46.944Z", 5268, M2, ALANNAH, 7319, S, GM3)
DEFER_MSG = "432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded"
for t in ("2016-08-28T14:58:48.052Z", "2016-08-28T14:59:48.117Z"):
    add(EX1, D, date_time=t, client_hostname=EX1, server_hostname=EX2, source="STOREDRIVER",
        event_id="DEFER", internal_message_id=5268, message_id=M2, recipient_address=ALANNAH,
        recipient_status=DEFER_MSG, total_bytes=7319, message_subject=S, sender_address=GM3,
        return_path=GM3, message_info="2016-08-28T14:58:45.000Z", directionality="Incoming")
D = "MSGTRK20160828-2.LOG"
deliver(EX1, D, "2016-08-28T15:00:48.296Z", EX2, 5268, M2, ALANNAH, 7319, S, GM3,
        "2016-08-28T14:58:45.000Z", "Incoming")

# ================================================================ 2016-08-29
D = "MSGTRK20160829-1.LOG"
# (d3) Gmail -> distribution list all-staff@mynet.lan, =HYPERLINK( subject.
#      EX13-2 (active) receives, EXPANDs, SENDs both recipients to EX13-1, which delivers.
M3 = "<CAC4mZr8Vx2Nq6Wt0Lb3Ky9Jp5Hd7Gs1Fe4Uo8Ti2Ra6Nc3Qw@mail.gmail.com>"
S = '=HYPERLINK("http://198.51.100.66/inv?id=4471","Invoice 4471")'
GM4 = "billing.dept.test@gmail.com"
TWO = ALAN + ";" + ALANNAH
s = session(EX2)
receive_smtp(EX2, D, "2016-08-29T13:12:09.418Z", NETSCALER, "mail-qt0-f174.google.com", s,
             "2016-08-29T13:12:09.061Z", 7015, M3, ALLSTAFF, 9264, S, GM4)
add(EX2, D, date_time="2016-08-29T13:12:09.633Z", server_hostname=EX2, source="ROUTING",
    event_id="EXPAND", internal_message_id=7015, message_id=M3, recipient_address=TWO,
    total_bytes=9264, related_recipient_address=ALLSTAFF, message_subject=S,
    sender_address=GM4, return_path=GM4, directionality="Incoming")
s = session(EX1)
receive_smtp(EX1, D, "2016-08-29T13:12:10.347Z", IP4[EX2], FQDN[EX2], s,
             "2016-08-29T13:12:10.129Z", 5302, M3, TWO, 9571, S, GM4)
send_intraorg(EX2, D, "2016-08-29T13:12:10.365Z", EX1, 7015, M3, TWO, 5302, 9571, S, GM4,
              "2016-08-29T13:12:07.000Z")
deliver(EX1, D, "2016-08-29T13:12:10.702Z", EX2, 5302, M3, TWO, 9571, S, GM4,
        "2016-08-29T13:12:07.000Z", "Incoming")

# (d4) <script> subject, outbound to two Gmail recipients on one SEND (aligned statuses).
M4 = "<A18F6D2C3E5B4970B2C84F1E6D0A7B35@EX13-2.mynet.lan>"
S = "<script>alert(document.cookie)</script> weekly report"
TWOG = GMAIL1 + ";" + GMAIL2
C = "2016-08-29T15:40:20.884Z"
notifymapi(EX2, D, "2016-08-29T15:40:21.006Z", ALANNAH, 1314420, C, "script")
submit(EX2, D, "2016-08-29T15:40:21.742Z", EX1, ALANNAH, 1314420, C, M4, S)
receive_store(EX1, D, "2016-08-29T15:40:21.975Z", EX2, 5317, ALANNAH, 1314420, C, M4, TWOG, 4409, S)
transfer(EX1, D, "2016-08-29T15:40:22.031Z", 5317, 5318, M4, TWOG, 4409, S, ALANNAH, "Originating")
send_smarthost(EX1, D, "2016-08-29T15:40:23.518Z", 5318, M4, TWOG, "250 2.1.5 Ok;250 2.1.5 Ok",
               "7A3E1400C29", 5688, S, ALANNAH, C)


# ---------------------------------------------------------------- writer
def enc(v):
    assert "\r" not in v and "\n" not in v, v
    if "," in v:
        return '"' + v.replace('"', '""') + '"'
    # the brief's rule: quote only when there is a comma. Keep the data free of the
    # ambiguous case (a quote without a comma) so the fixtures stay unambiguous.
    assert '"' not in v, v
    return v


def write_all(outdir):
    written = []
    for (srv, fname), recs in sorted(rows.items()):
        times = [r["date-time"] for r in recs]
        assert times == sorted(times), (srv, fname)      # hand-written in time order
        assert len(set(times)) == len(times), (srv, fname)
        assert all(t[:10].replace("-", "") == fname[6:14] for t in times), (srv, fname)
        header = ["#Software: Microsoft Exchange Server",
                  "#Version: " + VERSION,
                  "#Log-type: Message Tracking Log",
                  "#Date: " + times[0],   # file created by its first write
                  "#Fields: " + ",".join(FIELDS)]
        lines = header + [",".join(enc(r[k]) for k in FIELDS) for r in recs]
        data = "\ufeff" + "".join(l + "\r\n" for l in lines)
        d = os.path.join(outdir, srv, "TransportRoles", "Logs", "MessageTracking")
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, fname)
        with open(p, "wb") as fh:
            fh.write(data.encode("utf-8"))
        written.append((p, len(recs)))
    return written


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    for p, n in write_all(out):
        print("%4d rows  %s" % (n, os.path.relpath(p, out)))
