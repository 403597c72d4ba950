# The same for a recipient the smart host bounced (status=bounced: the next
# MTA refused it, 550 5.1.1): failed on the smart host's hop, at the bounce,
# its reply explained, with the smart host's NDR; it was `relayed`. The other
# recipient, sent on, stays relayed. Text and JSON.
# SYNTHETIC: tests/data/postfix-expired-beyond/README.md.
L=tests/data/postfix-expired-beyond
mailtrail trace --logs $L '<EXPB-0004@EX13-2.mynet.lan>' | sed -n '/^Recipients/,$p'
mailtrail trace --logs $L '<EXPB-0004@EX13-2.mynet.lan>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*","server":"[^"]*","timestamp":"[^"]*"\|"ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?\|"final_status":"[^"]*"'
