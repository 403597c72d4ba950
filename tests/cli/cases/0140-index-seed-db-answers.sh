# The seed's two servers indexed, then the same questions from the index.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet; echo "index exit $?"
mailtrail index --db "$D/i.db" --stats; echo "stats exit $?"
mailtrail search --db "$D/i.db" --sender mynet.test01@gmail.com --format csv; echo "search exit $?"
mailtrail search --db "$D/i.db" --sender nobody@nowhere.example; echo "nothing exit $?"
mailtrail sql --db "$D/i.db" top-senders --format csv; echo "sql exit $?"
mailtrail sql --db "$D/i.db" "SELECT server, event_id, count(*) AS n FROM tracking WHERE event_id = ?1 GROUP BY server ORDER BY server" SEND; echo "sql param exit $?"
mailtrail sql --db "$D/i.db" "SELECT message_id, size FROM messages ORDER BY size DESC LIMIT 2" --format json; echo "sql json exit $?"
rm -rf "$D"
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
mailtrail sql --db "$D/i.db" --format csv "SELECT message_id, from_server, link, key, to_server, next_event_id FROM hops ORDER BY sent"; echo "hops exit $?"
rm -rf "$D"
