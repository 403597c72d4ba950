#!/usr/bin/env python3
# make.py -- writes the SYNTHETIC tracking logs of this folder (README.md).
# Deterministic: run from anywhere, it rewrites the same bytes.
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
          "event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
          "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
          "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"
          "transport-traffic-type,log-id,schema-version").split(",")
INTRA = "Intra-Organization SMTP Send Connector"


def write(rel, rows):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n"
                "#Log-type: Message Tracking Log\r\n#Date: 2016-08-27T00:00:00.000Z\r\n"
                "#Fields: " + ",".join(FIELDS) + "\r\n")
        for r in sorted(rows, key=lambda r: r["date-time"]):
            f.write(",".join(str(r.get(k, "")) for k in FIELDS) + "\r\n")


def ev(t, eid, src, mid, rcpt, **kw):
    d = {"date-time": "2016-08-27T" + t + "Z", "event-id": eid, "source": src, "message-id": mid,
         "recipient-address": rcpt, "recipient-count": "1"}
    for k, v in kw.items():
        d[k.replace("_", "-")] = v
    return d


# EX1 is EX1.corp.test (10.0.0.1), EX2 is EX2.corp.test (10.0.0.2).
def outside(t, server, mid, sender, size, client="mx.ext.example", ip="203.0.113.9", subj="s"):
    n = server[-1]
    return ev(t, "RECEIVE", "SMTP", mid, "carol@corp.test", client_ip=ip, client_hostname=client,
              server_ip="10.0.0." + n, server_hostname=server + ".corp.test", connector_id=server + "\\Default " + server,
              total_bytes=size, message_subject=subj, sender_address=sender, return_path=sender,
              directionality="Incoming")


EX1 = [
    # m1: from outside on EX1 (3000 bytes), handed to EX2 (3100 there)
    outside("10:00:00.000", "EX1", "<m1@ext.example>", "dave@ext.example", "3000", subj="m1"),
    ev("10:01:00.000", "SEND", "SMTP", "<m1@ext.example>", "carol@corp.test", client_ip="10.0.0.1",
       client_hostname="EX1.corp.test", server_ip="10.0.0.2", server_hostname="EX2.corp.test",
       connector_id=INTRA, total_bytes="3100", message_subject="m1", sender_address="dave@ext.example",
       directionality="Incoming"),
    # m2: submitted on EX1, its size in the STOREDRIVER RECEIVE
    ev("11:00:00.000", "SUBMIT", "STOREDRIVER", "<m2@corp.test>", "", server_hostname="EX1",
       message_subject="m2", sender_address="alice@corp.test"),
    ev("11:00:01.000", "RECEIVE", "STOREDRIVER", "<m2@corp.test>", "bob@ext.example", server_hostname="EX1",
       total_bytes="5000", message_subject="m2", sender_address="alice@corp.test", directionality="Originating"),
    # m3: submitted at 11:59:59, sized by the STOREDRIVER RECEIVE at 12:00:01
    ev("11:59:59.000", "SUBMIT", "STOREDRIVER", "<m3@corp.test>", "", server_hostname="EX1",
       message_subject="m3", sender_address="alice@corp.test"),
    ev("12:00:01.000", "RECEIVE", "STOREDRIVER", "<m3@corp.test>", "bob@ext.example", server_hostname="EX1",
       total_bytes="4000", message_subject="m3", sender_address="alice@corp.test", directionality="Originating"),
    # m4: a SUBMIT whose STOREDRIVER RECEIVE is not in the log set: a message, size unknown
    ev("12:30:00.000", "SUBMIT", "STOREDRIVER", "<m4@corp.test>", "", server_hostname="EX1",
       message_subject="m4", sender_address="alice@corp.test"),
    # m5: from outside without a size, then again from outside with one
    outside("13:00:00.000", "EX1", "<m5@ext.example>", "dave@ext.example", "", subj="m5"),
    # m7: from outside on EX1 (2000), relayed to EX2 (2100) which logs only the IP of EX1
    outside("14:00:00.000", "EX1", "<m7@ext.example>", "erin@ext.example", "2000", subj="m7"),
    # two messages without a message id, from outside
    outside("16:00:00.000", "EX1", "", "dave@ext.example", "1500", subj="noid-a"),
    outside("16:05:00.000", "EX1", "", "erin@ext.example", "2500", subj="noid-b"),
]
EX2 = [
    ev("10:01:00.500", "RECEIVE", "SMTP", "<m1@ext.example>", "carol@corp.test", client_ip="10.0.0.1",
       client_hostname="EX1.corp.test", server_ip="10.0.0.2", server_hostname="EX2.corp.test",
       connector_id="EX2\\Default EX2", total_bytes="3100", message_subject="m1",
       sender_address="dave@ext.example", directionality="Incoming"),
    outside("13:10:00.000", "EX2", "<m5@ext.example>", "dave@ext.example", "7000", subj="m5"),
    ev("14:01:00.000", "RECEIVE", "SMTP", "<m7@ext.example>", "carol@corp.test", client_ip="10.0.0.1",
       server_ip="10.0.0.2", server_hostname="EX2.corp.test", connector_id="EX2\\Default EX2",
       total_bytes="2100", message_subject="m7", sender_address="erin@ext.example", directionality="Incoming"),
    # m8: ex1.partner.example starts like EX1, but EX1's full name is known: outside
    outside("15:00:00.000", "EX2", "<m8@partner.example>", "frank@partner.example", "900",
            client="ex1.partner.example", ip="198.51.100.7", subj="m8"),
    # m9: from EX1 by name, m10 from EX1's address: neither is in EX1's log, so
    # they entered the organisation elsewhere (not received here)
    ev("14:20:00.000", "RECEIVE", "SMTP", "<m9@ext.example>", "carol@corp.test", client_ip="10.0.0.11",
       client_hostname="ex1.corp.test.", server_ip="10.0.0.2", server_hostname="EX2.corp.test",
       connector_id="EX2\\Default EX2", total_bytes="800", message_subject="m9",
       sender_address="gina@ext.example", directionality="Incoming"),
    ev("14:30:00.000", "RECEIVE", "SMTP", "<m10@ext.example>", "carol@corp.test", client_ip="10.0.0.1",
       server_ip="10.0.0.2", server_hostname="EX2.corp.test", connector_id="EX2\\Default EX2",
       total_bytes="600", message_subject="m10", sender_address="gina@ext.example", directionality="Incoming"),
]

write("EX1/MSGTRK20160827-1.LOG", EX1)
write("EX2/MSGTRK20160827-1.LOG", EX2)
