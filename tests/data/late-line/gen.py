#!/usr/bin/env python3
# SYNTHETIC: writes EX1/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
c=dict(sender_address='s@ext.example',return_path='s@ext.example',total_bytes='2000')
write('EX1/MSGTRK20160831-1.LOG',[
 ev('2016-08-31T23:50:00.000Z','RECEIVE','SMTP','1','<a@ext.example>','a@corp.lan','',
    client_hostname='ext.example',message_subject='A',**c),
])
# The file of 09-01, begun at the UTC midnight rollover: its first line is
# stamped a moment before midnight (the delivery of <a>, written just after).
write('EX1/MSGTRK20160901-1.LOG',[
 ev('2016-08-31T23:59:59.800Z','DELIVER','STOREDRIVER','1','<a@ext.example>','a@corp.lan','',
    message_subject='A',**c),
 ev('2016-09-01T00:00:01.000Z','RECEIVE','SMTP','2','<b@ext.example>','b@corp.lan','',
    client_hostname='ext.example',message_subject='B',**c),
 ev('2016-09-01T00:00:02.000Z','DELIVER','STOREDRIVER','2','<b@ext.example>','b@corp.lan','',
    message_subject='B',**c),
])
