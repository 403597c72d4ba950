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
