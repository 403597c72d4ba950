#!/usr/bin/env python3
# SYNTHETIC: writes EX1/ and EX2/ MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402

c=dict(sender_address='x@ext.example',message_subject='stuck',client_hostname='mx.ext.example')
write('EX1/MSGTRK20160911-1.LOG',[
 ev('2016-09-11T10:00:00.000Z','RECEIVE','SMTP','11','<stuck@ext.example>','a@corp.lan;b@corp.lan','',source_context='08D3000000000111;2016-09-11T09:59:59.000Z;0',**c),
 ev('2016-09-11T10:00:01.000Z','SEND','SMTP','11','<stuck@ext.example>','a@corp.lan','250 2.1.5 Recipient OK',source_context=';250 2.6.0 <stuck@ext.example> [InternalId=22, Hostname=EX2.corp.lan] Queued mail for delivery;ClientSubmitTime:',server_hostname='EX2.corp.lan',**c),
])
write('EX2/MSGTRK20160911-1.LOG',[
 ev('2016-09-11T10:00:00.900Z','RECEIVE','SMTP','22','<stuck@ext.example>','a@corp.lan','',source_context='08D3000000000222;2016-09-11T10:00:00.800Z;0',client_hostname='EX1.corp.lan',sender_address='x@ext.example',message_subject='stuck'),
 ev('2016-09-11T10:05:00.000Z','DELIVER','STOREDRIVER','22','<stuck@ext.example>','a@corp.lan','',sender_address='x@ext.example',message_subject='stuck'),
])
