# An index of schema 1: a reader refuses it and says how to upgrade; the next
# index run upgrades it in place, and it then answers as the logs do (also a
# message-id given in other case, found through the new hashed dictionary).
D=$(mktemp -d); cp tests/data/index/schema1.db "$D/i.db"
mailtrail search --db "$D/i.db" --count > "$D/o" 2>&1; echo "exit $?"; sed "s|$D|TMP|g" "$D/o"
mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet; echo "index exit $?"
mailtrail sql --db "$D/i.db" --format csv "SELECT value FROM meta WHERE key = 'schema_version'"
mailtrail search --db "$D/i.db" --format csv --result-size unlimited > "$D/a"
mailtrail search --logs tests/data/seed --format csv --result-size unlimited > "$D/b"
cmp "$D/a" "$D/b" && echo "all events alike"
mailtrail search --db "$D/i.db" --message-id '<5386e0bef5fb4e0a9c1d2b715075dc27@ex13-1.mynet.lan>' --format csv
mailtrail trace --db "$D/i.db" '<5386E0BEF5FB4E0A9C1D2B715075DC27@EX13-1.mynet.lan>'
rm -rf "$D"
