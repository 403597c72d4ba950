# Inputs with nothing where a list or a text usually is: no back-pressure
# window at all, an empty RCPT TO:<>, a Postfix delivery without its
# "(status text)", and a --gap too large to add to a time. Each printed
# without undefined behaviour (make check runs this case under UBSan too).
# SYNTHETIC.
mailtrail backpressure --logs tests/data/seed; echo "backpressure, no window: exit $?"
mailtrail backpressure --logs tests/data/smtp --gap 9999999999999h; echo "huge gap: exit $?"
D=$(mktemp -d); mkdir -p "$D/SRV" "$D/pf/smarthost"
cat > "$D/SRV/RECV20160827-1.LOG" <<'LOG'
#Software: Microsoft Exchange Server
#Version: 15.01.2507.039
#Log-type: SMTP Receive Protocol Log
#Date: 2016-08-27T00:38:35.654Z
#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
2016-08-27T00:38:35.654Z,SRV\Default SRV,08D3C56844200000,0,10.0.0.11:25,10.0.0.5:4095,+,,
2016-08-27T00:38:35.826Z,SRV\Default SRV,08D3C56844200000,1,10.0.0.11:25,10.0.0.5:4095,<,EHLO mx1.fabrikam.com,
2016-08-27T00:38:36.100Z,SRV\Default SRV,08D3C56844200000,2,10.0.0.11:25,10.0.0.5:4095,<,MAIL FROM:<a@b.c>,
2016-08-27T00:38:36.151Z,SRV\Default SRV,08D3C56844200000,3,10.0.0.11:25,10.0.0.5:4095,<,RCPT TO:<>,
2016-08-27T00:38:36.152Z,SRV\Default SRV,08D3C56844200000,4,10.0.0.11:25,10.0.0.5:4095,>,250 2.1.5 Recipient OK,
2016-08-27T00:38:37.000Z,SRV\Default SRV,08D3C56844200000,5,10.0.0.11:25,10.0.0.5:4095,-,,Local
LOG
mailtrail sessions --logs "$D/SRV" --format csv | cut -d, -f1,12-15; echo "sessions: exit $?"
cat > "$D/pf/smarthost/maillog" <<'LOG'
Aug 27 10:00:00 smarthost postfix/smtpd[1]: 1A2B3C4D5E: client=EX13-1.mynet.lan[10.0.0.11]
Aug 27 10:00:00 smarthost postfix/cleanup[2]: 1A2B3C4D5E: message-id=<nost@x>
Aug 27 10:00:00 smarthost postfix/qmgr[3]: 1A2B3C4D5E: from=<a@mynet.lan>, size=100, nrcpt=1 (queue active)
Aug 27 10:00:01 smarthost postfix/smtp[4]: 1A2B3C4D5E: to=<b@remote.test>, relay=mx.remote.test[198.51.100.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent
Aug 27 10:00:01 smarthost postfix/qmgr[3]: 1A2B3C4D5E: removed
LOG
mailtrail trace --all --logs "$D/pf" --syslog-year 2016 --format json | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["message_id"], [(r["address"], r["outcome"]) for r in t["recipients"]])'
echo "trace: exit $?"
rm -rf "$D"
