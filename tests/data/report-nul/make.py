#!/usr/bin/env python3
# make.py -- writes the SYNTHETIC tracking log of this folder (README.md).
# Deterministic: run from anywhere, it rewrites the same bytes.
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
          "event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
          "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
          "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"
          "transport-traffic-type,log-id,schema-version").split(",")


def q(v):
    v = str(v)
    return '"' + v.replace('"', '""') + '"' if "," in v or '"' in v else v


def ev(t, eid, src, mid, rcpt, **kw):
    d = {"date-time": "2016-08-27T" + t + "Z", "event-id": eid, "source": src, "message-id": mid,
         "recipient-address": rcpt}
    for k, v in kw.items():
        d[k.replace("_", "-")] = v
    return d


rows = [
    # n1: subject and sender with a NUL, 20000 bytes (the large list with --large 10K)
    ev("09:00:00.000", "RECEIVE", "SMTP", "<n1@x.test>", "u@corp.test", client_ip="203.0.113.9",
       client_hostname="mx.x.test", server_ip="10.0.0.1", server_hostname="EX1.corp.test",
       source_context="08D3CE2B00000001;2016-08-27T08:59:59.900Z;0", connector_id="EX1\\Default Frontend EX1",
       internal_message_id=1, total_bytes=20000, recipient_count=1, message_subject="before\0after NUL",
       sender_address="a\0b@x.test"),
    ev("09:00:01.000", "DELIVER", "STOREDRIVER", "<n1@x.test>", "u@corp.test", server_hostname="EX1.corp.test",
       internal_message_id=1, total_bytes=20000, message_subject="before\0after NUL", sender_address="a\0b@x.test"),
    # without a message-id: counted as it comes, its own large-list row
    ev("10:00:00.000", "RECEIVE", "SMTP", "", "u@corp.test", client_ip="203.0.113.9",
       client_hostname="mx.x.test", server_ip="10.0.0.1", server_hostname="EX1.corp.test",
       source_context="08D3CE2B00000002;2016-08-27T09:59:59.900Z;0", connector_id="EX1\\Default Frontend EX1",
       internal_message_id=2, total_bytes=30000, recipient_count=1, message_subject="no id\0rest",
       sender_address="c@x.test"),
]
path = os.path.join(HERE, "EX1", "MSGTRK20160827-1.LOG")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w", newline="") as f:
    f.write("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n"
            "#Log-type: Message Tracking Log\r\n#Date: 2016-08-27T00:00:00.000Z\r\n"
            "#Fields: " + ",".join(FIELDS) + "\r\n")
    for r in rows:
        f.write(",".join(q(r.get(k, "")) for k in FIELDS) + "\r\n")
