# An Exchange recipient relayed to a Postfix smart host that is still
# deferred there when the logs end is deferred on the smart host's hop, at
# its last deferral, with that reply -- what `pending` lists. It was
# `relayed` (only the "beyond ...: deferred" line showed it). Not so for one
# sent after a deferral, nor for one deferred and then deleted with postsuper
# (nobody retries it). Text, JSON, and from an index.
# SYNTHETIC: tests/data/postfix-pending/README.md.
L="--logs EX13-1=tests/data/postfix-pending/EX13-1 --logs smarthost=tests/data/postfix-pending/smarthost"
for m in 1 2 4 6; do
    mailtrail trace $L "<PEND-000$m@EX13-1.mynet.lan>" | sed -n '/^Recipients/,$p'
done
mailtrail trace $L '<PEND-0001@EX13-1.mynet.lan>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*","server":"[^"]*","timestamp":"[^"]*"'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" $L --quiet
mailtrail trace --db "$D/i.db" '<PEND-0006@EX13-1.mynet.lan>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*","server":"[^"]*","timestamp":"[^"]*"'
rm -rf "$D"
