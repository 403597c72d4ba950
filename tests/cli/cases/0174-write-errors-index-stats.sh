# index --stats and sql --list to a full disk: exit 4, as every other
# command (both exited 0).
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet --no-progress
mailtrail index --db "$D/i.db" --stats > /dev/full; echo "index --stats $?"
mailtrail sql --list > /dev/full; echo "sql --list $?"
rm -rf "$D"
