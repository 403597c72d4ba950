# A Postfix success notice ("sender delivery status notification", sent for
# NOTIFY=SUCCESS) is the DSN of the recipients delivered in the queue run that
# sent it, and its dsn_kind is the RFC 3464 Action of each: "delivery"
# (delivered to a mailbox), "expansion" (local(8) forwarded it), "relay"
# (smtp handed it to another MTA); text says "Delivery notice sent" and so
# on. They had no DSN. A recipient delivered on a retry has the retry's
# notice. SYNTHETIC: tests/data/postfix-expired-notices/README.md.
for m in OK-0001 OK-0002; do
    mailtrail trace --logs tests/data/postfix-expired-notices --syslog-year 2016 "<$m@mynet.example>" --format json |
        grep -o '"address":"[^"]*","outcome":"[^"]*"\|"ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?'
done
mailtrail trace --logs tests/data/postfix-expired-notices --syslog-year 2016 '<OK-0001@mynet.example>' '<OK-0002@mynet.example>' |
    grep -E 'sent:|^  [a-z]'
