# trace --db through Postfix logs deleted since they were indexed: their
# classic stamps (no year) get the year the files' modification time gave,
# kept in the index, not 1970 from a failed stat of the gone path.
D=$(mktemp -d); cp -r tests/data/postfix-chain "$D/chain"
touch -d '2016-09-21 12:00:00 UTC' "$D/chain/smarthost/maillog" "$D/chain/partner/maillog"
set -- --logs "smarthost=$D/chain/smarthost" --logs "mx=$D/chain/partner"
mailtrail index --db "$D/i.db" "$@" --quiet
mailtrail trace --db "$D/i.db" '<CHAIN-IN-0002@mx.partner.example>' > "$D/one-before"
rm "$D/chain/smarthost/maillog" "$D/chain/partner/maillog"
mailtrail index --db "$D/i.db" "$@" --quiet
mailtrail trace --db "$D/i.db" '<CHAIN-IN-0002@mx.partner.example>' 2>&1 | sed "s|$D|D|g" > "$D/one-after"
cmp "$D/one-before" "$D/one-after" && echo "the same after the files went"
grep -c 2016- "$D/one-after"; grep -c 1970- "$D/one-after"
grep -m 1 Seen "$D/one-after"
rm -rf "$D"
