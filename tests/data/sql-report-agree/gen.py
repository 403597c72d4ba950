#!/usr/bin/env python3
# SYNTHETIC: writes EX1/.../MSGTRK20160827-1.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
C=dict(client_ip='203.0.113.7', client_hostname='mx.contoso.com', server_ip='10.0.0.1', server_hostname='EX1.corp.lan', connector_id='EX1\\Default Frontend EX1', message_subject='s')
L=dict(server_hostname='EX1', message_subject='s')
rows=[]
def msg(t, n, sender, rcpt, eid, src, status, size):
    mid = '<m%d@contoso.com>' % n
    rows.append(ev(t + ':00.000Z', 'RECEIVE', 'SMTP', str(n), mid, rcpt, '', sender_address=sender, total_bytes=size, **C))
    rows.append(ev(t + ':05.000Z', eid, src, str(n), mid, rcpt, status, sender_address=sender, total_bytes=size, **L))
# one sender spelt three ways, none of them report's (folded) spelling
msg('2016-08-27T10:00', 1, 'John@Contoso.com', 'Bob@Corp.lan;Gina@corp.lan', 'DELIVER', 'STOREDRIVER', '250 2.0.0 ok;250 2.0.0 ok', '1000')
msg('2016-08-27T10:10', 2, 'JOHN@contoso.COM', 'BOB@corp.lan', 'DELIVER', 'STOREDRIVER', '250 2.0.0 ok', '2000')
msg('2016-08-27T10:20', 3, 'john@Contoso.com', 'carol@corp.lan', 'FAIL', 'ROUTING', '550 5.1.1 no such user', '3000')
# the other kinds report counts as failed (report.c classify, docs/report.md "failed")
msg('2016-08-27T10:30', 4, 'Ann@Contoso.com', 'dave@corp.lan', 'BADMAIL', 'ROUTING', '550 5.6.0 bad', '4000')
msg('2016-08-27T10:40', 5, 'Ann@Contoso.com', 'erin@corp.lan', 'MODERATORREJECT', 'APPROVAL', '550 5.2.1 rejected by moderator', '5000')
msg('2016-08-27T10:50', 6, 'Zed@Contoso.com', 'frank@corp.lan', 'MODERATIONEXPIRE', 'APPROVAL', '550 5.2.0 moderation expired', '6000')
write('EX1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG', rows)
