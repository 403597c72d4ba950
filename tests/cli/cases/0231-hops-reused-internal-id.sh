# The hops view links a SEND answered [InternalId=N, Hostname=H] to H's
# RECEIVE of id N of the same message: an internal id given again (a queue
# database made anew) linked the SEND to another message's RECEIVE as well.
# An index of schema 4 keeps its old view for readers; the next index run
# upgrades it to schema 5 and the new view. SYNTHETIC:
# tests/data/hops-reused-id/README.md, tests/data/index/README.md.
D=$(mktemp -d)
q="SELECT message_id, from_server, link, key, to_server, next_event_id, next_seen FROM hops"
mailtrail index --db "$D/i.db" --logs tests/data/hops-reused-id --quiet --no-progress
mailtrail sql --db "$D/i.db" --format csv "$q"
mailtrail trace --logs tests/data/hops-reused-id '<new@x.test>' | grep '^Hop'
cp tests/data/index/schema4-hops.db "$D/old.db"
mailtrail sql --db "$D/old.db" --format csv "SELECT count(*) AS hops FROM hops"; echo "exit $?"
mailtrail index --db "$D/old.db" --logs tests/data/hops-reused-id --quiet --no-progress; echo "index exit $?"
mailtrail sql --db "$D/old.db" --format csv "SELECT value FROM meta WHERE key = 'schema_version'"
mailtrail sql --db "$D/old.db" --format csv "$q"
rm -rf "$D"
