# SYNTHETIC fixture helpers: the message tracking log writer the small
# hand-made fixtures' gen.py scripts share (dsn-links, ndr-links,
# internal-retry, pending-in-transit, report-ips, report-hosts). Header-driven like Exchange's logs:
# #Fields names the columns; a row is a dict by field name.
import os
F2007="date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info".split(',')
F2010=F2007+"directionality,tenant-id,original-client-ip,original-server-ip,custom-data".split(',')
F2013=F2010[:11]+['network-message-id']+F2010[11:]
F2016=F2013+"transport-traffic-type,log-id,schema-version".split(',')
def q(v):
    v=str(v)
    if ',' in v or '"' in v: return '"'+v.replace('"','""')+'"'
    return v
# date: the #Date directive; by default the first row's time (a log made
# for a fixture may name the day it covers instead, as report-ips' do).
def write(path, rows, fields=F2016, version="15.01.2507.039", bom=True, crlf=True, date=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nl="\r\n" if crlf else "\n"
    out=[]
    out.append("#Software: Microsoft Exchange Server")
    out.append("#Version: "+version)
    out.append("#Log-type: Message Tracking Log")
    if date is None:
        date=rows[0]['date-time'] if rows else "2016-01-01T00:00:00.000Z"
    out.append("#Date: "+date)
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
