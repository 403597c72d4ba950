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


def redundancy(mid, iid, host):
    return f";250 2.6.0 {mid} [InternalId={iid}, Hostname={host}] Queued mail for redundancy"


# by-ip: HUB1 (10.0.0.11, mbx01.corp.example) and HUB2 (10.0.0.12,
# mbx02.corp.example); folders not named like the hosts, and the hand-offs
# between them name each other by address only (a send connector to
# 10.0.0.11, a RECEIVE whose client-hostname is empty).
write("by-ip/HUB1/MSGTRK20160827-1.LOG", [
    # m1 from HUB2, at the same millisecond as HUB2's first SMTP RECEIVE
    ev("09:00:02.000", "RECEIVE", "SMTP", "<m1@corp.example>", "v@corp.example", client_ip="10.0.0.12",
       server_ip="10.0.0.11", server_hostname="mbx01.corp.example",
       source_context="08D3CE2B00000101;2016-08-27T09:00:01.900Z;0", connector_id="HUB1\\Default HUB1",
       internal_message_id=21, total_bytes=4000, recipient_count=1, sender_address="u@corp.example"),
    ev("09:00:03.000", "DELIVER", "STOREDRIVER", "<m1@corp.example>", "v@corp.example",
       server_hostname="mbx01.corp.example", internal_message_id=21, total_bytes=4000,
       sender_address="u@corp.example"),
    ev("10:00:02.000", "RECEIVE", "SMTP", "<g1@example.net>", "v@corp.example", client_ip="10.0.0.12",
       server_ip="10.0.0.11", server_hostname="mbx01.corp.example",
       source_context="08D3CE2B00000102;2016-08-27T10:00:01.900Z;0", connector_id="HUB1\\Default HUB1",
       internal_message_id=22, total_bytes=3000, recipient_count=1, sender_address="x@example.net"),
    ev("10:00:03.000", "DELIVER", "STOREDRIVER", "<g1@example.net>", "v@corp.example",
       server_hostname="mbx01.corp.example", internal_message_id=22, total_bytes=3000,
       sender_address="x@example.net"),
])
write("by-ip/HUB2/MSGTRK20160827-1.LOG", [
    ev("09:00:00.000", "SUBMIT", "STOREDRIVER", "<m1@corp.example>", "", client_hostname="mbx02.corp.example",
       server_hostname="mbx02.corp.example", sender_address="u@corp.example"),
    ev("09:00:00.500", "RECEIVE", "STOREDRIVER", "<m1@corp.example>", "v@corp.example",
       server_hostname="mbx02.corp.example", internal_message_id=31, total_bytes=4000,
       sender_address="u@corp.example"),
    # to HUB1 by address, before HUB1's first SMTP RECEIVE
    ev("09:00:01.000", "SEND", "SMTP", "<m1@corp.example>", "v@corp.example", client_ip="10.0.0.12",
       client_hostname="mbx02.corp.example", server_ip="10.0.0.11", server_hostname="10.0.0.11",
       source_context=";250 2.6.0 <m1@corp.example> Queued mail for delivery;ClientSubmitTime:",
       connector_id="HubLink", internal_message_id=31, recipient_status="250 2.1.5 Recipient OK",
       total_bytes=4000, sender_address="u@corp.example"),
    # HUB2's first SMTP RECEIVE: from the Internet
    ev("09:00:02.000", "RECEIVE", "SMTP", "<g0@example.net>", "w@corp.example", client_ip="203.0.113.5",
       client_hostname="mx.example.net", server_ip="10.0.0.12", server_hostname="mbx02.corp.example",
       source_context="08D3CE2B00000201;2016-08-27T09:00:01.800Z;0", connector_id="HUB2\\Default Frontend HUB2",
       internal_message_id=32, total_bytes=2000, recipient_count=1, sender_address="y@example.net"),
    ev("09:00:02.500", "DELIVER", "STOREDRIVER", "<g0@example.net>", "w@corp.example",
       server_hostname="mbx02.corp.example", internal_message_id=32, total_bytes=2000,
       sender_address="y@example.net"),
    ev("10:00:00.000", "RECEIVE", "SMTP", "<g1@example.net>", "v@corp.example", client_ip="203.0.113.5",
       client_hostname="mx.example.net", server_ip="10.0.0.12", server_hostname="mbx02.corp.example",
       source_context="08D3CE2B00000202;2016-08-27T09:59:59.900Z;0", connector_id="HUB2\\Default Frontend HUB2",
       internal_message_id=33, total_bytes=3000, recipient_count=1, sender_address="x@example.net"),
    ev("10:00:01.000", "SEND", "SMTP", "<g1@example.net>", "v@corp.example", client_ip="10.0.0.12",
       client_hostname="mbx02.corp.example", server_ip="10.0.0.11", server_hostname="10.0.0.11",
       source_context=";250 2.6.0 <g1@example.net> Queued mail for delivery;ClientSubmitTime:",
       connector_id="HubLink", internal_message_id=33, recipient_status="250 2.1.5 Recipient OK",
       total_bytes=3000, sender_address="x@example.net"),
])

# shadow: EX13-1's logs alone (a DAG with EX13-2, mynet.lan). EX13-1 never
# sends EX13-2 a message in the window; EX13-2 is the client of its RECEIVE
# of r1. Shadow redundancy names EX13-2 as a transport server of the
# organisation: EX13-1 shadows g1 (from the Internet) to EX13-2 (HAREDIRECT),
# and receives EX13-2's shadow copy of h1 (HARECEIVE).
write("shadow/EX13-1/MSGTRK20160827-1.LOG", [
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
    ev("08:00:00.100", "HAREDIRECT", "SMTP", "<g1@mail.gmail.com>", "alan.reid@mynet.lan", client_ip="10.0.0.11",
       client_hostname="EX13-1.mynet.lan", server_ip="10.0.0.12", server_hostname="EX13-2.mynet.lan",
       source_context=redundancy("<g1@mail.gmail.com>", 52, "EX13-2.mynet.lan"), connector_id=INTRA,
       internal_message_id=42, total_bytes=5000, recipient_count=1, sender_address="friend@gmail.com"),
    ev("08:00:01.000", "DELIVER", "STOREDRIVER", "<g1@mail.gmail.com>", "alan.reid@mynet.lan",
       server_hostname="EX13-1.mynet.lan", internal_message_id=42, total_bytes=5000,
       sender_address="friend@gmail.com"),
    ev("09:00:00.050", "HARECEIVE", "SMTP", "<h1@example.org>", "alan.reid@mynet.lan", client_ip="10.0.0.12",
       client_hostname="EX13-2.mynet.lan", server_ip="10.0.0.11", server_hostname="EX13-1.mynet.lan",
       source_context="08D3CE2B00000303;2016-08-27T09:00:00.020Z;0", connector_id="EX13-1\\Default EX13-1",
       internal_message_id=43, total_bytes=3000, recipient_count=1, sender_address="z@example.org"),
])
# shadow-none: the same EX13-1 with no shadow redundancy (HAREDIRECT) in the
# window: nothing in its logs says EX13-2 is the organisation's.
write("shadow-none/EX13-1/MSGTRK20160827-1.LOG", [
    ev("07:00:01.000", "RECEIVE", "SMTP", "<r1@EX13-2.mynet.lan>", "friend@gmail.com", client_ip="10.0.0.12",
       client_hostname="EX13-2.mynet.lan", server_ip="10.0.0.11", server_hostname="EX13-1.mynet.lan",
       source_context="08D3CE2B00000301;2016-08-27T07:00:00.900Z;0", connector_id="EX13-1\\Default EX13-1",
       internal_message_id=41, total_bytes=6000, recipient_count=1, sender_address="alannah.shaw@mynet.lan"),
    ev("07:00:02.000", "SEND", "SMTP", "<r1@EX13-2.mynet.lan>", "friend@gmail.com", client_ip="10.0.0.11",
       client_hostname="EX13-1.mynet.lan", server_ip="10.0.0.25", server_hostname="smarthost.mynet.lan",
       source_context=";250 2.0.0 Ok: queued as 3F1A2B4C5D;ClientSubmitTime:2016-08-27T06:59:58.000Z",
       connector_id="MYNET-SendConn-1", internal_message_id=41, recipient_status="250 2.1.5 Recipient OK",
       total_bytes=6000, sender_address="alannah.shaw@mynet.lan"),
])
