# A newsletter to 3,000 outside addresses through the smart host, deferred
# once and sent an hour later: each recipient's last Postfix attempt is
# found ("beyond ... sent"), from the files and from the index alike.
# (Searched among all deliveries for each recipient, this took minutes.)
D=$(mktemp -d); mkdir -p "$D/EX13-1" "$D/smarthost"
head -n 5 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/EX13-1/MSGTRK20160718-1.LOG"
awk 'BEGIN {
    n = 3000; q = "4B5184DE14F"; r = ""; s = "";
    for (i = 0; i < n; i++) { r = r (i ? ";" : "") "u" i "@partner.example"; s = s (i ? ";" : "") "250 2.0.0 Ok: queued as " q }
    print "2016-07-18T10:00:00.000Z,10.0.0.11,EX13-1,,EX13-1,MDB:1,,STOREDRIVER,SUBMIT,,<news@mynet.lan>,,,,,,,Newsletter,a@mynet.lan,,,Originating,,,,"
    printf "2016-07-18T10:00:01.000Z,10.0.0.11,EX13-1,10.0.0.50,smarthost.mynet.lan,;250 2.0.0 Ok: queued as %s,EX13-1\\To smarthost,SMTP,SEND,777,<news@mynet.lan>,%s,%s,5000,%d,,,Newsletter,a@mynet.lan,a@mynet.lan,,Originating,,,,\n", q, r, s, n
    print "Jul 18 10:00:01 smarthost postfix/smtpd[100]: " q ": client=EX13-1.mynet.lan[10.0.0.11]" > "/dev/stderr"
}' >> "$D/EX13-1/MSGTRK20160718-1.LOG" 2> "$D/smarthost/maillog"
awk 'BEGIN {
    n = 3000; q = "4B5184DE14F";
    print "Jul 18 10:00:01 smarthost postfix/cleanup[200]: " q ": message-id=<news@mynet.lan>"
    print "Jul 18 10:00:02 smarthost postfix/qmgr[300]: " q ": from=<a@mynet.lan>, size=5000, nrcpt=" n " (queue active)"
    for (i = 0; i < n; i++) print "Jul 18 10:00:03 smarthost postfix/smtp[400]: " q ": to=<u" i "@partner.example>, relay=mx.partner.example[198.51.100.7]:25, delay=2, delays=1/0/0.5/0.5, dsn=4.4.1, status=deferred (connection timed out)"
    for (i = 0; i < n; i++) print "Jul 18 11:00:03 smarthost postfix/smtp[400]: " q ": to=<u" i "@partner.example>, relay=mx.partner.example[198.51.100.7]:25, delay=3602, delays=1/3600/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F" i "E)"
    print "Jul 18 11:00:04 smarthost postfix/qmgr[300]: " q ": removed"
}' >> "$D/smarthost/maillog"
L="--logs EX13-1=$D/EX13-1 --logs smarthost=$D/smarthost"
mailtrail trace $L '<news@mynet.lan>' | grep -c 'beyond smarthost: sent by mx.partner.example'
mailtrail trace $L '<news@mynet.lan>' | grep -c 'beyond smarthost: deferred'
mailtrail trace $L '<news@mynet.lan>' --format json | grep -o '"final_status":"[a-z]*"' | sort | uniq -c
mailtrail index --db "$D/i.db" $L --quiet
mailtrail trace --db "$D/i.db" '<news@mynet.lan>' > "$D/a"; mailtrail trace $L '<news@mynet.lan>' > "$D/b"
cmp "$D/a" "$D/b" && echo "index: the same trace"
rm -rf "$D"
