# Malformed lines are reported with file and line while indexing, kept in the
# problems table, and the rest is indexed.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/bad --quiet 2>&1; echo "index exit $?"
mailtrail sql --db "$D/i.db" problems --format csv; echo "problems exit $?"
mailtrail search --db "$D/i.db" --format csv | wc -l; mailtrail search --logs tests/data/bad --format csv 2>/dev/null | wc -l
rm -rf "$D"
