# trace --db through damaged Postfix lines says so once and exits 3: it
# printed a shorter path (EX13-2 -> smarthost.mynet.lan, the Postfix hops
# gone) with exit 0 and no word. With only postfix_keys damaged (the ids
# that find a message's lines) the trace reads every Postfix line instead:
# the same trace as from the whole index, and the damage said (exit 3).
. tests/cli/damage-index.sh
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/postfix-chain --quiet
cp "$D/i.db" "$D/lines.db"; damage_index "$D/lines.db" postfix_lines
cp "$D/i.db" "$D/keys.db"; damage_index "$D/keys.db" postfix_keys
m='<CHAIN-OUT-0001@EX13-2.mynet.lan>'
{ mailtrail trace --db "$D/lines.db" "$m"; echo "lines exit $?"; } 2>&1 | sed "s|$D|DIR|g"
{ mailtrail trace --db "$D/lines.db" --all --format json >/dev/null; echo "lines all exit $?"; } 2>&1 | sed "s|$D|DIR|g"
mailtrail trace --db "$D/i.db" "$m" > "$D/whole"
{ mailtrail trace --db "$D/keys.db" "$m" > "$D/keys"; echo "keys exit $?"; } 2>&1 | sed "s|$D|DIR|g"
cmp "$D/whole" "$D/keys" && echo "keys: the same trace"
rm -rf "$D"
