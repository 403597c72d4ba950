#!/usr/bin/env python3
# SYNTHETIC: writes EX1/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
c=dict(sender_address='u@corp.lan',return_path='u@corp.lan',message_subject='dsn kind')
d=dict(sender_address='MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.lan',return_path='<>')
write('EX1/MSGTRK20160910-1.LOG',[
 # deferred, a delay DSN naming it, no final event by the end of the logs
 ev('2016-09-10T10:00:00.000Z','RECEIVE','STOREDRIVER','31','<slow@EX1.corp.lan>','r@ext.example','',client_hostname='EX1',**c),
 ev('2016-09-10T10:00:00.100Z','DEFER','SMTP','31','<slow@EX1.corp.lan>','r@ext.example','451 4.4.0 DNS query failed',**c),
 # failed, its NDR addressed to the sender
 ev('2016-09-10T10:00:01.000Z','RECEIVE','STOREDRIVER','41','<bad@EX1.corp.lan>','f@corp.lan','',client_hostname='EX1',**c),
 ev('2016-09-10T10:00:01.100Z','FAIL','ROUTING','41','<bad@EX1.corp.lan>','f@corp.lan','550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',**c),
 ev('2016-09-10T10:00:02.000Z','DSN','DSN','42','<ndrbad@EX1.corp.lan>','u@corp.lan','',reference='<bad@EX1.corp.lan>',message_subject='Undeliverable:dsn kind',**d),
 # failed, its NDR naming it; then Safety Net resubmits the message and the copy is deferred
 ev('2016-09-10T12:00:00.000Z','RECEIVE','STOREDRIVER','51','<again@EX1.corp.lan>','g@corp.lan','',client_hostname='EX1',**c),
 ev('2016-09-10T12:00:00.100Z','FAIL','STOREDRIVER','51','<again@EX1.corp.lan>','g@corp.lan','554 5.2.0 STOREDRV.Deliver.Exception:StoragePermanentException; failed to process message',**c),
 ev('2016-09-10T12:00:01.000Z','DSN','DSN','52','<ndragain@EX1.corp.lan>','g@corp.lan','',reference='<again@EX1.corp.lan>',message_subject='Undeliverable:dsn kind',**d),
 ev('2016-09-10T12:30:00.000Z','RESUBMIT','SAFETYNET','53','<again@EX1.corp.lan>','g@corp.lan','',source_context='ResubmitReason:DatabaseFailover',**c),
 ev('2016-09-10T12:30:00.100Z','DEFER','STOREDRIVER','53','<again@EX1.corp.lan>','g@corp.lan','432 4.2.0 STOREDRV.Deliver; mailbox database is offline',**c),
 ev('2016-09-10T14:00:00.000Z','DSN','DSN','32','<delayslow@EX1.corp.lan>','r@ext.example','',reference='<slow@EX1.corp.lan>',message_subject='Delivery delayed:dsn kind',**d),
])
