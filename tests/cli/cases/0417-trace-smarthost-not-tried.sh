# Handed to the smart host, which queued it and has not tried it when its log
# ends: trace says what pending does (0369) -- each recipient the smart host
# took is unknown there (in transit), not relayed from Exchange; the one it
# refused (550 in the SEND) stays as Exchange logged it. A SENDEXTERNAL hand-off
# the same. The index agrees.
# SYNTHETIC: tests/data/postfix-handoff/README.md.
L="--logs EX13-1=tests/data/postfix-handoff/EX13-1 --logs smarthost=tests/data/postfix-handoff/smarthost"
mailtrail trace $L '<HAND-0001@EX13-1.mynet.lan>' '<HAND-0003@EX13-1.mynet.lan>' | sed -n '/^Message/p;/^Recipients:/,/^$/p'
mailtrail trace $L '<HAND-0001@EX13-1.mynet.lan>' --format json | sed 's/.*\("recipients":\[{\)/\1/'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" $L --quiet
mailtrail trace --db "$D/i.db" '<HAND-0001@EX13-1.mynet.lan>' '<HAND-0003@EX13-1.mynet.lan>' --format json > "$D/a"
mailtrail trace $L '<HAND-0001@EX13-1.mynet.lan>' '<HAND-0003@EX13-1.mynet.lan>' --format json > "$D/b"
cmp "$D/a" "$D/b" && echo "index: the same"
rm -rf "$D"
