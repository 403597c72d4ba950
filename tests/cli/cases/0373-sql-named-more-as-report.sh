# sql's named queries give report's numbers where report has them:
# connector-volume counts SEND, SENDEXTERNAL and RECEIVE events whatever the
# case of their event id, with report's sizes ('1e3' and a 20-digit value are
# no size), and no connector-less store-driver RECEIVE (it compared the event
# id case-sensitively, summed CAST(total-bytes) and listed that RECEIVE under
# no connector); ndr-by-code's example is the code's first status (it took
# min(): "(bob)" where report says "(zed)") and a recipient without a status is
# '' as in report; event-counts names an event without an event id '' and
# largest-messages a message without a subject '' (both were null). Each sql
# table is followed by report's. SYNTHETIC: written here.
D=$(mktemp -d); mkdir -p "$D/logs/EX1"
r() { printf '%s,%s,%s,%s,%s,,%s,%s,%s,1,%s,,%s,%s,%s,1,,,%s,%s,,,,,,,,,,\n' "$@"; }
{ printf '#Software: Microsoft Exchange Server\n#Version: 15.01.2507.039\n#Log-type: Message Tracking Log\n'
  printf '#Date: 2016-08-27T10:00:00.000Z\n#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,'
  printf 'source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,'
  printf 'recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,'
  printf 'message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,'
  printf 'original-server-ip,custom-data,transport-traffic-type,log-id,schema-version\n'
  # time, client ip and host, server ip and host, connector, source, event, message id, recipients, status, bytes, subject, sender
  r 2016-08-27T10:00:00.000Z 203.0.113.7 mx.contoso.com 10.0.0.1 EX1.corp.lan 'EX1\Default Frontend EX1' SMTP RECEIVE '<a@contoso.com>' amy@corp.lan '' 1000 a x@contoso.com
  r 2016-08-27T10:00:01.000Z 203.0.113.7 mx.contoso.com 10.0.0.1 EX1.corp.lan 'EX1\Default Frontend EX1' SMTP receive '<b@contoso.com>' 'bob@corp.lan;cat@corp.lan' '' 1e3 b x@contoso.com
  r 2016-08-27T10:00:02.000Z '' '' '' EX1 '' STOREDRIVER SUBMIT '<c@corp.lan>' '' '' '' '' ann@corp.lan
  r 2016-08-27T10:00:03.000Z '' '' '' EX1 '' STOREDRIVER RECEIVE '<c@corp.lan>' bob@partner.example '' 5000000 '' ann@corp.lan
  r 2016-08-27T10:00:04.000Z 10.0.0.1 EX1.corp.lan 198.51.100.9 mx.partner.example Out SMTP SEND '<c@corp.lan>' bob@partner.example '250 2.0.0 OK' 5000000 '' ann@corp.lan
  r 2016-08-27T10:00:05.000Z 10.0.0.1 EX1.corp.lan 198.51.100.9 mx.partner.example Out SMTP SENDEXTERNAL '<d@corp.lan>' dan@partner.example '250 2.0.0 OK' 99999999999999999999 d ann@corp.lan
  r 2016-08-27T10:00:06.000Z 10.0.0.1 EX1.corp.lan 198.51.100.9 mx.partner.example Out SMTP send '<e@corp.lan>' eve@partner.example '250 2.0.0 OK' 700 e ann@corp.lan
  r 2016-08-27T10:01:00.000Z '' '' '' EX1 '' SMTP FAIL '<a@contoso.com>' amy@corp.lan '550 5.1.1 User unknown (zed)' 1000 a x@contoso.com
  r 2016-08-27T10:02:00.000Z '' '' '' EX1 '' SMTP fail '<b@contoso.com>' 'bob@corp.lan;cat@corp.lan' '550 5.1.1 User unknown (bob)' '' b x@contoso.com
  r 2016-08-27T10:03:00.000Z '' '' '' EX1 '' SMTP '' '<z@corp.lan>' '' '' '' z ann@corp.lan
} > "$D/logs/EX1/MSGTRK20160827-1.LOG"
mailtrail index --db "$D/i.db" --logs "$D/logs" --quiet --no-progress
mailtrail report --db "$D/i.db" --section hops,failures,sizes,events --large 1 --format json > "$D/report.json"
# report's rows of a table, one object a line, as sql prints them
sec() { awk -v s="\"$1\":\\[" '$0 ~ s { on = 1; next } on && /^\{/ { print } on && /\]/ { on = 0 }' "$D/report.json" | sed -E 's/\}[],}]*$/}/'; }
mailtrail sql --db "$D/i.db" connector-volume --format json; sec connectors
mailtrail sql --db "$D/i.db" ndr-by-code --format json; sec failures | sed 's/"explanation":"[^"]*",//'
mailtrail sql --db "$D/i.db" event-counts --format json; sec events
mailtrail sql --db "$D/i.db" largest-messages --format json; sec large_messages
rm -rf "$D"
