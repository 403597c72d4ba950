#!/usr/bin/env python3
# SYNTHETIC: writes EX1/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from msgtrk_fixture import write, ev  # noqa: E402
c=dict(sender_address='u@corp.lan',return_path='u@corp.lan',message_subject='dsn links')
d=dict(sender_address='MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.lan',return_path='<>')
write('EX1/MSGTRK20160908-1.LOG',[
 # two messages fail, one DSN whose reference names both
 ev('2016-09-08T10:00:00.000Z','RECEIVE','STOREDRIVER','11','<a@EX1.corp.lan>','x@corp.lan','',client_hostname='EX1',**c),
 ev('2016-09-08T10:00:00.100Z','FAIL','ROUTING','11','<a@EX1.corp.lan>','x@corp.lan','550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',**c),
 ev('2016-09-08T10:00:01.000Z','RECEIVE','STOREDRIVER','12','<b@EX1.corp.lan>','y@corp.lan','',client_hostname='EX1',**c),
 ev('2016-09-08T10:00:01.100Z','FAIL','ROUTING','12','<b@EX1.corp.lan>','y@corp.lan','550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',**c),
 ev('2016-09-08T10:00:02.000Z','DSN','DSN','13','<ndrab@EX1.corp.lan>','u@corp.lan','',reference='<a@EX1.corp.lan>;<b@EX1.corp.lan>',**d),
 # deferred, a delay DSN naming it, then failed and its NDR naming it
 ev('2016-09-08T11:00:00.000Z','RECEIVE','STOREDRIVER','21','<late@EX1.corp.lan>','q@ext.example','',client_hostname='EX1',**c),
 ev('2016-09-08T11:00:00.100Z','DEFER','SMTP','21','<late@EX1.corp.lan>','q@ext.example','451 4.4.0 DNS query failed',**c),
 ev('2016-09-08T15:00:00.000Z','DSN','DSN','22','<delaylate@EX1.corp.lan>','q@ext.example','',reference='<late@EX1.corp.lan>',message_subject='Delivery delayed:dsn links',**d),
 ev('2016-09-09T11:00:00.000Z','FAIL','SMTP','21','<late@EX1.corp.lan>','q@ext.example','550 4.4.7 QUEUE.Expired; message expired',**c),
 ev('2016-09-09T11:00:00.100Z','DSN','DSN','23','<ndrlate@EX1.corp.lan>','q@ext.example','',reference='<late@EX1.corp.lan>',message_subject='Undeliverable:dsn links',**d),
])
