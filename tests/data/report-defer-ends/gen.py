#!/usr/bin/env python3
# SYNTHETIC: writes EX1/.../MSGTRK20160827-1.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
C=dict(client_ip='203.0.113.5', client_hostname='mx.partner.com', server_ip='10.0.0.1', server_hostname='EX1.corp.lan', connector_id='EX1\\Default Frontend EX1', sender_address='x@partner.com', message_subject='s', total_bytes='1000')
rows=[]
def R(t,mid,iid,rc): rows.append(ev(t,'RECEIVE','SMTP',iid,mid,rc,'',**C))
L=dict(server_hostname='EX1', sender_address='x@partner.com', message_subject='s', total_bytes='1000')
# m1: recipient case differs between DEFER and DELIVER
R('2016-08-27T10:00:00.000Z','<m1@partner.com>','1','Bob@corp.lan')
rows.append(ev('2016-08-27T10:00:01.000Z','DEFER','SMTP','1','<m1@partner.com>','Bob@corp.lan','451 4.4.0 busy',**L))
rows.append(ev('2016-08-27T10:05:00.000Z','DELIVER','STOREDRIVER','1','<m1@partner.com>','bob@corp.lan','250 2.0.0 delivered',**L))
# m2: DEFER then DUPLICATEDELIVER
R('2016-08-27T11:00:00.000Z','<m2@partner.com>','2','carol@corp.lan')
rows.append(ev('2016-08-27T11:00:01.000Z','DEFER','SMTP','2','<m2@partner.com>','carol@corp.lan','451 4.4.0 busy',**L))
rows.append(ev('2016-08-27T11:05:00.000Z','DUPLICATEDELIVER','STOREDRIVER','2','<m2@partner.com>','carol@corp.lan','250 2.0.0 dup',**L))
# m3: DEFER then BADMAIL
R('2016-08-27T12:00:00.000Z','<m3@partner.com>','3','dave@corp.lan')
rows.append(ev('2016-08-27T12:00:01.000Z','DEFER','SMTP','3','<m3@partner.com>','dave@corp.lan','451 4.4.0 busy',**L))
rows.append(ev('2016-08-27T12:05:00.000Z','BADMAIL','ROUTING','3','<m3@partner.com>','dave@corp.lan','550 5.6.0 bad',**L))
# m4: DEFER then DROP
R('2016-08-27T13:00:00.000Z','<m4@partner.com>','4','erin@corp.lan')
rows.append(ev('2016-08-27T13:00:01.000Z','DEFER','SMTP','4','<m4@partner.com>','erin@corp.lan','451 4.4.0 busy',**L))
rows.append(ev('2016-08-27T13:05:00.000Z','DROP','ROUTING','4','<m4@partner.com>','erin@corp.lan','550 dropped',**L))
# m5: DEFER then MODERATIONEXPIRE
R('2016-08-27T14:00:00.000Z','<m5@partner.com>','5','frank@corp.lan')
rows.append(ev('2016-08-27T14:00:01.000Z','DEFER','SMTP','5','<m5@partner.com>','frank@corp.lan','451 4.4.0 busy',**L))
rows.append(ev('2016-08-27T14:05:00.000Z','MODERATIONEXPIRE','APPROVAL','5','<m5@partner.com>','frank@corp.lan','550 5.2.0 moderation expired',**L))
# m6: DEFER and nothing after: the one still deferred
R('2016-08-27T15:00:00.000Z','<m6@partner.com>','6','gina@corp.lan')
rows.append(ev('2016-08-27T15:00:01.000Z','DEFER','SMTP','6','<m6@partner.com>','gina@corp.lan','451 4.4.0 busy',**L))
write('EX1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG', rows)
