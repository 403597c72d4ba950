#!/usr/bin/env python3
# SYNTHETIC: writes EX1/ and EX2/ MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402

c=dict(sender_address='u@corp.lan',return_path='u@corp.lan',message_subject='internal retry')
write('EX1/MSGTRK20160912-1.LOG',[
 # internal: EX1 cannot reach EX2 at first, retries, EX2 delivers
 ev('2016-09-12T10:00:00.000Z','SUBMIT','STOREDRIVER','','<int1@EX1.corp.lan>','','',client_hostname='EX1',server_hostname='EX1.corp.lan',**c),
 ev('2016-09-12T10:00:00.200Z','RECEIVE','STOREDRIVER','31','<int1@EX1.corp.lan>','v@corp.lan','',client_hostname='EX1',server_hostname='EX1',**c),
 ev('2016-09-12T10:00:01.000Z','DEFER','SMTP','31','<int1@EX1.corp.lan>','v@corp.lan','451 4.4.0 Primary target IP address responded with: "421 4.2.1 Unable to connect." Attempted failover to alternate host, but that did not succeed.',server_hostname='EX2.corp.lan',**c),
 ev('2016-09-12T10:05:01.000Z','SEND','SMTP','31','<int1@EX1.corp.lan>','v@corp.lan','250 2.1.5 Recipient OK',source_context=';250 2.6.0 <int1@EX1.corp.lan> [InternalId=41, Hostname=EX2.corp.lan] Queued mail for delivery;ClientSubmitTime:',server_hostname='EX2.corp.lan',connector_id='Intra-Organization SMTP Send Connector',**c),
 # outbound: the partner's MX is not reachable, still deferred at the end
 ev('2016-09-12T11:00:00.000Z','SUBMIT','STOREDRIVER','','<out1@EX1.corp.lan>','','',client_hostname='EX1',server_hostname='EX1.corp.lan',**c),
 ev('2016-09-12T11:00:00.200Z','RECEIVE','STOREDRIVER','32','<out1@EX1.corp.lan>','x@partner.example','',client_hostname='EX1',server_hostname='EX1',**c),
 ev('2016-09-12T11:00:01.000Z','DEFER','SMTP','32','<out1@EX1.corp.lan>','x@partner.example','451 4.4.0 DNS query failed',server_hostname='mx.partner.example',connector_id='Internet',**c),
 # outbound: refused by the partner's MX
 ev('2016-09-12T12:00:00.000Z','SUBMIT','STOREDRIVER','','<out2@EX1.corp.lan>','','',client_hostname='EX1',server_hostname='EX1.corp.lan',**c),
 ev('2016-09-12T12:00:00.200Z','RECEIVE','STOREDRIVER','33','<out2@EX1.corp.lan>','y@partner.example','',client_hostname='EX1',server_hostname='EX1',**c),
 ev('2016-09-12T12:00:01.000Z','FAIL','SMTP','33','<out2@EX1.corp.lan>','y@partner.example','550 5.7.1 Relaying denied',server_hostname='mx.partner.example',connector_id='Internet',**c),
])
write('EX2/MSGTRK20160912-1.LOG',[
 ev('2016-09-12T10:05:00.900Z','RECEIVE','SMTP','41','<int1@EX1.corp.lan>','v@corp.lan','',source_context='08D3000000000411;2016-09-12T10:05:00.800Z;0',client_hostname='EX1.corp.lan',server_hostname='EX2',**c),
 ev('2016-09-12T10:05:01.300Z','DELIVER','STOREDRIVER','41','<int1@EX1.corp.lan>','v@corp.lan','',**c),
])
