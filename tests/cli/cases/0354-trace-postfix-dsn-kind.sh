# A message only Postfix logged: a recipient's DSN is the sender's
# non-delivery notification (dsn_kind "failure") or delay notification
# ("delay"), never the success notice NOTIFY=SUCCESS asks for ("sender
# delivery status notification") nor the postmaster's copies. The first
# notification logged that was not a sender delay notification was taken for
# the NDR: NOTE-0001's gone showed the success notice, NOTE-0002's slow the
# postmaster's delay notice. SYNTHETIC: tests/data/postfix-dsn-kind/README.md.
for m in NOTE-0001 NOTE-0002 NOTE-0003; do
    mailtrail trace --logs tests/data/postfix-dsn-kind --syslog-year 2016 "<$m@mynet.example>" --format json |
        grep -o '"address":"[^"]*","outcome":"[^"]*"\|"ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?'
done
mailtrail trace --logs tests/data/postfix-dsn-kind --syslog-year 2016 '<NOTE-0002@mynet.example>' '<NOTE-0003@mynet.example>' | grep -E 'sent:|^  [a-z]'
