# The index rebuilds the same sessions: over every shape in smtp-classes,
# sessions and backpressure answer the same from --db as from --logs, and
# --remote matches unbracketed IPv6 the same way.
# SYNTHETIC: tests/data/smtp-classes/README.md.
D=$(mktemp -d)
L=tests/data/smtp-classes
mailtrail index --db "$D/x.db" --logs "$L" --quiet --no-progress
echo "index: exit $?"
for c in sessions backpressure; do
    mailtrail $c --db "$D/x.db" --format csv > "$D/db.csv"
    echo "$c --db: exit $?"
    mailtrail $c --logs "$L" --format csv > "$D/logs.csv"
    echo "$c --logs: exit $?"
    cmp -s "$D/db.csv" "$D/logs.csv" && echo "$c: same" || diff "$D/logs.csv" "$D/db.csv" | sed "s|$D|D|g"
done
mailtrail sessions --db "$D/x.db" --remote 2001:db8::1 --format csv | cut -d, -f1
rm -rf "$D"
