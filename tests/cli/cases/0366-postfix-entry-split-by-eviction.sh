# A Postfix queue entry the loader handed on early (more than 65,536 entries
# open at once: here 70,000 clients that quit after RCPT, whose entries are
# never removed) is joined again with the rest of its lines. SPLIT-1 was
# deferred, then sent 40 minutes later: trace said deferred (it saw the
# first part only). SPLIT-2 was deferred, and qmgr had just taken it for a
# retry when the log ends: pending said in transit, recipient unknown, the
# deferral lost. The same from an index. SYNTHETIC: generated below, in the
# shapes of tests/data/postfix-pending (Postfix 3.7 lines).
D=$(mktemp -d)
mkdir -p "$D/smarthost"
{
cat <<'L'
Sep 22 08:00:01 smarthost postfix/smtpd[5102]: 7C1A2B3D4E5: client=EX13-1.mynet.lan[192.168.1.31]
Sep 22 08:00:01 smarthost postfix/cleanup[5103]: 7C1A2B3D4E5: message-id=<SPLIT-1@EX13-1.mynet.lan>
Sep 22 08:00:01 smarthost postfix/qmgr[1001]: 7C1A2B3D4E5: from=<eva.lind@mynet.lan>, size=4102, nrcpt=1 (queue active)
Sep 22 08:00:03 smarthost postfix/smtp[5105]: 7C1A2B3D4E5: to=<slow@remote.example>, relay=mx.remote.example[198.51.100.20]:25, delay=2.1, delays=0.1/0/0.6/1.4, dsn=4.7.1, status=deferred (host mx.remote.example[198.51.100.20] said: 450 4.7.1 <slow@remote.example>: Recipient address rejected: Greylisted (in reply to RCPT TO command))
Sep 22 08:00:05 smarthost postfix/smtpd[5102]: 8D2B3C4D5F6: client=EX13-1.mynet.lan[192.168.1.31]
Sep 22 08:00:05 smarthost postfix/cleanup[5103]: 8D2B3C4D5F6: message-id=<SPLIT-2@EX13-1.mynet.lan>
Sep 22 08:00:05 smarthost postfix/qmgr[1001]: 8D2B3C4D5F6: from=<eva.lind@mynet.lan>, size=4060, nrcpt=1 (queue active)
Sep 22 08:00:06 smarthost postfix/smtp[5105]: 8D2B3C4D5F6: to=<late@remote.example>, relay=mx.remote.example[198.51.100.20]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=4.2.2, status=deferred (host mx.remote.example[198.51.100.20] said: 452 4.2.2 <late@remote.example>: Mailbox full (in reply to RCPT TO command))
L
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "Sep 22 08:%02d:%02d smarthost postfix/smtpd[6001]: %011X: client=unknown[203.0.113.77]\n", 10 + int(i / 2000), int(i / 40) % 60, 268435456 + i }'
cat <<'L'
Sep 22 08:40:02 smarthost postfix/qmgr[1001]: 7C1A2B3D4E5: from=<eva.lind@mynet.lan>, size=4102, nrcpt=1 (queue active)
Sep 22 08:40:03 smarthost postfix/smtp[5105]: 7C1A2B3D4E5: to=<slow@remote.example>, relay=mx.remote.example[198.51.100.20]:25, delay=2402, delays=2400/0/0.6/1.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5E6F7A00B01)
Sep 22 08:40:03 smarthost postfix/qmgr[1001]: 7C1A2B3D4E5: removed
Sep 22 08:45:00 smarthost postfix/qmgr[1001]: 8D2B3C4D5F6: from=<eva.lind@mynet.lan>, size=4060, nrcpt=1 (queue active)
L
} > "$D/smarthost/maillog"
L="--logs smarthost=$D/smarthost --syslog-year 2016"
mailtrail trace $L '<SPLIT-1@EX13-1.mynet.lan>' | sed -n '/^Recipients/,$p'
mailtrail pending $L; echo "exit $?"
mailtrail index --db "$D/i.db" --logs smarthost=$D/smarthost --quiet
mailtrail trace --db "$D/i.db" --syslog-year 2016 '<SPLIT-1@EX13-1.mynet.lan>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*","server":"[^"]*","timestamp":"[^"]*"'
mailtrail pending --db "$D/i.db" --syslog-year 2016 --format csv
rm -rf "$D"
