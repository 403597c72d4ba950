#!/usr/bin/env python3
# SYNTHETIC: writes EX1/MSGTRK*.LOG (see README.md). Deterministic: run from this folder.
import os
F2007="date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info".split(',')
F2010=F2007+"directionality,tenant-id,original-client-ip,original-server-ip,custom-data".split(',')
F2013=F2010[:11]+['network-message-id']+F2010[11:]
F2016=F2013+"transport-traffic-type,log-id,schema-version".split(',')
def q(v):
    v=str(v)
    if ',' in v or '"' in v: return '"'+v.replace('"','""')+'"'
    return v
def write(path, rows, fields=F2016, version="15.01.2507.039", bom=True, crlf=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nl="\r\n" if crlf else "\n"
    out=[]
    out.append("#Software: Microsoft Exchange Server")
    out.append("#Version: "+version)
    out.append("#Log-type: Message Tracking Log")
    out.append("#Date: "+(rows[0]['date-time'] if rows else "2016-01-01T00:00:00.000Z"))
    out.append("#Fields: "+",".join(fields))
    for r in rows:
        out.append(",".join(q(r.get(f,"")) for f in fields))
    data=nl.join(out)+nl
    with open(path,"wb") as f:
        if bom: f.write(b"\xef\xbb\xbf")
        f.write(data.encode())
def ev(t, eid, src, iid, mid, rcpt="", status="", **kw):
    r={'date-time':t,'event-id':eid,'source':src,'internal-message-id':iid,'message-id':mid,'recipient-address':rcpt,'recipient-status':status}
    for k,v in kw.items(): r[k.replace('_','-')]=v
    if rcpt and 'recipient-count' not in r: r['recipient-count']=len(rcpt.split(';'))
    return r

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
