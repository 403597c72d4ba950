#!/usr/bin/env python3
# make.py -- writes the SYNTHETIC tracking logs of this folder (README.md).
# Deterministic: run from anywhere, it rewrites the same bytes.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import msgtrk_fixture  # noqa: E402

INTRA = "Intra-Organization SMTP Send Connector"


def write(rel, rows):
    # no BOM, and a #Date of the day, as these files were first written
    msgtrk_fixture.write(os.path.join(HERE, rel), rows, bom=False, date="2016-08-27T00:00:00.000Z")


def ev(t, eid, src, mid, rcpt, **kw):
    """A row of 2016-08-27 at time t (HH:MM:SS.fff); no recipient-count
    unless given (the shared ev() adds one for every recipient list)."""
    kw.setdefault("recipient_count", "")
    return msgtrk_fixture.ev("2016-08-27T" + t + "Z", eid, src, kw.pop("internal_message_id", ""), mid, rcpt,
                             kw.pop("recipient_status", ""), **kw)


def queued(mid, iid, host):
    return f";250 2.6.0 {mid} [InternalId={iid}, Hostname={host}] 7000 bytes in 0.010, 683.594 KB/sec " \
           "Queued mail for delivery;ClientSubmitTime:"


# mail-named: one server, MAIL (MAIL.corp.example); mail.partner.com sends to
# it and mail.contoso.com is sent to (the hunt's repro, unchanged).
write("mail-named/MAIL/MSGTRK20160827-1.LOG", [
    ev("01:00:00.000", "RECEIVE", "SMTP", "<in1@partner.com>", "u1@corp.example", client_ip="198.51.100.9",
       client_hostname="mail.partner.com", server_ip="10.0.0.1", server_hostname="MAIL.corp.example",
       connector_id="MAIL\\Default Frontend MAIL", internal_message_id=1, total_bytes=5000, recipient_count=1,
       sender_address="bob@partner.com"),
    ev("01:00:01.000", "DELIVER", "STOREDRIVER", "<in1@partner.com>", "u1@corp.example",
       server_hostname="MAIL.corp.example", internal_message_id=1, total_bytes=5000,
       sender_address="bob@partner.com"),
    ev("02:00:00.000", "SUBMIT", "STOREDRIVER", "<out1@corp.example>", "", client_hostname="MAIL.corp.example",
       server_hostname="MAIL.corp.example", sender_address="u1@corp.example"),
    ev("02:00:01.000", "RECEIVE", "STOREDRIVER", "<out1@corp.example>", "carol@contoso.com",
       server_hostname="MAIL.corp.example", internal_message_id=2, total_bytes=7000,
       sender_address="u1@corp.example"),
    ev("02:00:02.000", "SEND", "SMTP", "<out1@corp.example>", "carol@contoso.com", client_hostname="MAIL.corp.example",
       server_ip="203.0.113.7", server_hostname="mail.contoso.com",
       source_context=";250 2.0.0 Ok: queued as ABC123;ClientSubmitTime:", connector_id="Internet",
       internal_message_id=2, recipient_status="250 2.1.5 Recipient OK", total_bytes=7000,
       sender_address="u1@corp.example"),
])

# partner-exchange: MAIL and EX2. EX2 talks to mail.partner.com, an Exchange
# server of another organisation (its reply carries [InternalId, Hostname]),
# before MAIL's own events say MAIL's full name; MAIL hands a message to EX2.
write("partner-exchange/EX2/MSGTRK20160827-1.LOG", [
    ev("00:30:00.000", "SUBMIT", "STOREDRIVER", "<o1@corp.example>", "", client_hostname="EX2.corp.example",
       server_hostname="EX2.corp.example", sender_address="u2@corp.example"),
    ev("00:30:01.000", "RECEIVE", "STOREDRIVER", "<o1@corp.example>", "v@partner.com",
       server_hostname="EX2.corp.example", internal_message_id=11, total_bytes=7000,
       sender_address="u2@corp.example"),
    ev("00:30:02.000", "SEND", "SMTP", "<o1@corp.example>", "v@partner.com", client_ip="10.0.0.2",
       client_hostname="EX2.corp.example", server_ip="198.51.100.7", server_hostname="mail.partner.com",
       source_context=queued("<o1@corp.example>", 4400001, "PARTNEREX01.partner.com"), connector_id="Internet",
       internal_message_id=11, recipient_status="250 2.1.5 Recipient OK", total_bytes=7000,
       sender_address="u2@corp.example"),
    ev("00:40:00.000", "RECEIVE", "SMTP", "<i1@partner.com>", "u2@corp.example", client_ip="198.51.100.7",
       client_hostname="mail.partner.com", server_ip="10.0.0.2", server_hostname="EX2.corp.example",
       source_context="08D3CE2B00000001;2016-08-27T00:39:59.900Z;0", connector_id="EX2\\Default Frontend EX2",
       internal_message_id=12, total_bytes=3000, recipient_count=1, sender_address="v@partner.com"),
    ev("00:40:01.000", "DELIVER", "STOREDRIVER", "<i1@partner.com>", "u2@corp.example",
       server_hostname="EX2.corp.example", internal_message_id=12, total_bytes=3000,
       sender_address="v@partner.com"),
    ev("01:00:02.000", "RECEIVE", "SMTP", "<i2@ext.example>", "u2@corp.example", client_ip="10.0.0.1",
       client_hostname="MAIL.corp.example", server_ip="10.0.0.2", server_hostname="EX2.corp.example",
       source_context="08D3CE2B00000002;2016-08-27T01:00:01.900Z;0", connector_id="EX2\\Default EX2",
       internal_message_id=13, total_bytes=4000, recipient_count=1, sender_address="a@ext.example"),
    ev("01:00:03.000", "DELIVER", "STOREDRIVER", "<i2@ext.example>", "u2@corp.example",
       server_hostname="EX2.corp.example", internal_message_id=13, total_bytes=4000,
       sender_address="a@ext.example"),
])
write("partner-exchange/MAIL/MSGTRK20160827-1.LOG", [
    ev("01:00:00.000", "RECEIVE", "SMTP", "<i2@ext.example>", "u2@corp.example", client_ip="192.0.2.1",
       client_hostname="mx.ext.example", server_ip="10.0.0.1", server_hostname="MAIL.corp.example",
       source_context="08D3CE2B00000101;2016-08-27T00:59:59.900Z;0", connector_id="MAIL\\Default Frontend MAIL",
       internal_message_id=21, total_bytes=4000, recipient_count=1, sender_address="a@ext.example"),
    ev("01:00:01.000", "SEND", "SMTP", "<i2@ext.example>", "u2@corp.example", client_ip="10.0.0.1",
       client_hostname="MAIL.corp.example", server_ip="10.0.0.2", server_hostname="EX2.corp.example",
       source_context=queued("<i2@ext.example>", 13, "EX2.corp.example"), connector_id=INTRA,
       internal_message_id=21, recipient_status="250 2.1.5 Recipient OK", total_bytes=4000,
       sender_address="a@ext.example"),
])

# dag: EX13-1 and EX13-2 of a DAG (mynet.lan) and a smart host. r1 is
# submitted on EX13-2 and leaves through EX13-1 (07:00, before EX13-1 hands
# anything to EX13-2); g1 comes from the Internet to EX13-1 and is delivered
# on EX13-2, where the mailbox is.
write("dag/EX13-2/MSGTRK20160827-1.LOG", [
    ev("06:59:58.000", "SUBMIT", "STOREDRIVER", "<r1@EX13-2.mynet.lan>", "", client_hostname="EX13-2.mynet.lan",
       server_hostname="EX13-2.mynet.lan", sender_address="alannah.shaw@mynet.lan"),
    ev("06:59:59.000", "RECEIVE", "STOREDRIVER", "<r1@EX13-2.mynet.lan>", "friend@gmail.com",
       server_hostname="EX13-2.mynet.lan", internal_message_id=31, total_bytes=6000,
       sender_address="alannah.shaw@mynet.lan"),
    ev("07:00:00.000", "SEND", "SMTP", "<r1@EX13-2.mynet.lan>", "friend@gmail.com", client_ip="10.0.0.12",
       client_hostname="EX13-2.mynet.lan", server_ip="10.0.0.11", server_hostname="EX13-1.mynet.lan",
       source_context=queued("<r1@EX13-2.mynet.lan>", 41, "EX13-1.mynet.lan"), connector_id=INTRA,
       internal_message_id=31, recipient_status="250 2.1.5 Recipient OK", total_bytes=6000,
       sender_address="alannah.shaw@mynet.lan"),
    ev("08:00:02.000", "RECEIVE", "SMTP", "<g1@mail.gmail.com>", "alan.reid@mynet.lan", client_ip="10.0.0.11",
       client_hostname="EX13-1.mynet.lan", server_ip="10.0.0.12", server_hostname="EX13-2.mynet.lan",
       source_context="08D3CE2B00000201;2016-08-27T08:00:01.900Z;0", connector_id="EX13-2\\Default EX13-2",
       internal_message_id=32, total_bytes=5000, recipient_count=1, sender_address="friend@gmail.com"),
    ev("08:00:03.000", "DELIVER", "STOREDRIVER", "<g1@mail.gmail.com>", "alan.reid@mynet.lan",
       server_hostname="EX13-2.mynet.lan", internal_message_id=32, total_bytes=5000,
       sender_address="friend@gmail.com"),
])
write("dag/EX13-1/MSGTRK20160827-1.LOG", [
    ev("07:00:01.000", "RECEIVE", "SMTP", "<r1@EX13-2.mynet.lan>", "friend@gmail.com", client_ip="10.0.0.12",
       client_hostname="EX13-2.mynet.lan", server_ip="10.0.0.11", server_hostname="EX13-1.mynet.lan",
       source_context="08D3CE2B00000301;2016-08-27T07:00:00.900Z;0", connector_id="EX13-1\\Default EX13-1",
       internal_message_id=41, total_bytes=6000, recipient_count=1, sender_address="alannah.shaw@mynet.lan"),
    ev("07:00:02.000", "SEND", "SMTP", "<r1@EX13-2.mynet.lan>", "friend@gmail.com", client_ip="10.0.0.11",
       client_hostname="EX13-1.mynet.lan", server_ip="10.0.0.25", server_hostname="smarthost.mynet.lan",
       source_context=";250 2.0.0 Ok: queued as 3F1A2B4C5D;ClientSubmitTime:2016-08-27T06:59:58.000Z",
       connector_id="MYNET-SendConn-1", internal_message_id=41, recipient_status="250 2.1.5 Recipient OK",
       total_bytes=6000, sender_address="alannah.shaw@mynet.lan"),
    ev("08:00:00.000", "RECEIVE", "SMTP", "<g1@mail.gmail.com>", "alan.reid@mynet.lan", client_ip="209.85.128.41",
       client_hostname="mail-wm1-f41.google.com", server_ip="10.0.0.11", server_hostname="EX13-1.mynet.lan",
       source_context="08D3CE2B00000302;2016-08-27T07:59:59.900Z;0", connector_id="EX13-1\\Default Frontend EX13-1",
       internal_message_id=42, total_bytes=5000, recipient_count=1, sender_address="friend@gmail.com"),
    ev("08:00:01.000", "SEND", "SMTP", "<g1@mail.gmail.com>", "alan.reid@mynet.lan", client_ip="10.0.0.11",
       client_hostname="EX13-1.mynet.lan", server_ip="10.0.0.12", server_hostname="EX13-2.mynet.lan",
       source_context=queued("<g1@mail.gmail.com>", 32, "EX13-2.mynet.lan"), connector_id=INTRA,
       internal_message_id=42, recipient_status="250 2.1.5 Recipient OK", total_bytes=5000,
       sender_address="friend@gmail.com"),
])
