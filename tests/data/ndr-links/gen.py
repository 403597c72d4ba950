#!/usr/bin/env python3
# SYNTHETIC: writes EX1/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402

c=dict(sender_address='u@corp.lan',return_path='u@corp.lan',message_subject='ndr links')
d=dict(sender_address='MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.lan',return_path='<>')
write('EX1/MSGTRK20160907-1.LOG',[
 # two recipients fail 5 s apart, an NDR after each
 ev('2016-09-07T14:00:00.000Z','RECEIVE','STOREDRIVER','61','<two@EX1.corp.lan>','p@corp.lan;q@corp.lan','',client_hostname='EX1',**c),
 ev('2016-09-07T14:00:00.100Z','FAIL','ROUTING','61','<two@EX1.corp.lan>','p@corp.lan','550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',**c),
 ev('2016-09-07T14:00:00.200Z','DSN','DSN','62','<ndrp@EX1.corp.lan>','u@corp.lan','',reference='<two@EX1.corp.lan>',**d),
 ev('2016-09-07T14:00:05.000Z','FAIL','STOREDRIVER','61','<two@EX1.corp.lan>','q@corp.lan','554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException',**c),
 ev('2016-09-07T14:00:05.200Z','DSN','DSN','63','<ndrq@EX1.corp.lan>','u@corp.lan','',reference='<two@EX1.corp.lan>',**d),
 # one fails with an NDR, the other is only deferred (no DSN about it)
 ev('2016-09-07T15:00:00.000Z','RECEIVE','STOREDRIVER','71','<mix@EX1.corp.lan>','p@corp.lan;q@ext.example','',client_hostname='EX1',**c),
 ev('2016-09-07T15:00:00.100Z','FAIL','ROUTING','71','<mix@EX1.corp.lan>','p@corp.lan','550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',**c),
 ev('2016-09-07T15:00:00.200Z','DSN','DSN','72','<ndrmix@EX1.corp.lan>','u@corp.lan','',reference='<mix@EX1.corp.lan>',**d),
 ev('2016-09-07T15:00:05.000Z','DEFER','SMTP','71','<mix@EX1.corp.lan>','q@ext.example','451 4.4.0 DNS query failed',**c),
 # two recipients fail by one event: one NDR reports both
 ev('2016-09-07T16:00:00.000Z','RECEIVE','STOREDRIVER','81','<same@EX1.corp.lan>','a@corp.lan;b@corp.lan','',client_hostname='EX1',**c),
 ev('2016-09-07T16:00:00.100Z','FAIL','ROUTING','81','<same@EX1.corp.lan>','a@corp.lan;b@corp.lan','550 5.1.1 User unknown;550 5.1.1 User unknown',**c),
 ev('2016-09-07T16:00:00.200Z','DSN','DSN','82','<ndrsame@EX1.corp.lan>','u@corp.lan','',reference='<same@EX1.corp.lan>',**d),
 # DSNs that name their recipients: a delay DSN for the deferred one is
 # logged between the failure of the other and that one's NDR
 ev('2016-09-07T17:00:00.000Z','RECEIVE','STOREDRIVER','91','<named@EX1.corp.lan>','p@corp.lan;q@ext.example','',client_hostname='EX1',**c),
 ev('2016-09-07T17:00:00.100Z','DEFER','SMTP','91','<named@EX1.corp.lan>','q@ext.example','451 4.4.0 DNS query failed',**c),
 ev('2016-09-07T17:00:01.000Z','FAIL','ROUTING','91','<named@EX1.corp.lan>','p@corp.lan','550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',**c),
 ev('2016-09-07T17:00:01.100Z','DSN','DSN','92','<delayq@EX1.corp.lan>','q@ext.example','',reference='<named@EX1.corp.lan>',message_subject='Delivery delayed:ndr links',**d),
 ev('2016-09-07T17:00:01.200Z','DSN','DSN','93','<ndrp2@EX1.corp.lan>','p@corp.lan','',reference='<named@EX1.corp.lan>',message_subject='Undeliverable:ndr links',**d),
])
