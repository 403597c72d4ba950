# The index rebuilds sessions from the protocol-log lines it stores: over
# every shape in smtp-edges, sessions and backpressure answer the same from
# --db as from --logs. SYNTHETIC: tests/data/smtp-edges/README.md.
D=$(mktemp -d)
L=tests/data/smtp-edges
mailtrail index --db "$D/x.db" --logs "$L" --quiet --no-progress
echo "index: exit $?"
for c in sessions backpressure; do
    mailtrail $c --db "$D/x.db" --format csv > "$D/db.csv"
    echo "$c --db: exit $?"
    mailtrail $c --logs "$L" --format csv > "$D/logs.csv"
    echo "$c --logs: exit $?"
    cmp -s "$D/db.csv" "$D/logs.csv" && echo "$c: same" || diff "$D/logs.csv" "$D/db.csv" | sed "s|$D|D|g"
    [ $c = sessions ] && cut -d, -f1,2,15-17 "$D/logs.csv" || cat "$D/logs.csv"
done
mailtrail sessions --db "$D/x.db" --class back-pressure --format csv | cut -d, -f1
rm -rf "$D"
