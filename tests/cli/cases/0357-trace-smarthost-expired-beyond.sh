# An Exchange recipient relayed to a Postfix smart host that then gave up on
# it there (still deferred when qmgr expired the message: "status=expired,
# returned to sender") is failed on the smart host's hop, at the expiry, with
# the last deferral's reply as its status, the expiry's explanation and the
# smart host's NDR -- as one only Postfix logged is. It was `relayed` (only
# the "beyond ...: deferred" line and JSON final_status showed it). One
# rewritten by a virtual alias, and one that expired on a second instance,
# alike; a list of which one address got through stays relayed. Text, JSON,
# and from an index. SYNTHETIC: tests/data/postfix-expired-beyond/README.md.
L=tests/data/postfix-expired-beyond
for m in 1 2 3; do
    mailtrail trace --logs $L "<EXPB-000$m@EX13-2.mynet.lan>" | sed -n '/^Recipients/,$p'
done
mailtrail trace --logs $L '<EXPB-0001@EX13-2.mynet.lan>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*","server":"[^"]*","timestamp":"[^"]*"\|"explanation":"[^"]*","ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet
mailtrail trace --db "$D/i.db" '<EXPB-0002@EX13-2.mynet.lan>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*","server":"[^"]*","timestamp":"[^"]*"\|"ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?'
rm -rf "$D"
