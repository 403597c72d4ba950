# The failures view holds the recipients report counts as failed (FAIL,
# BADMAIL, MODERATORREJECT, MODERATIONEXPIRE), with their event id, as
# ndr-by-code does (0381): it held FAIL only. An index of schema 5 keeps its
# old view for readers; the next index run upgrades it to schema 6 and the
# new view. SYNTHETIC: tests/data/sql-report-agree/README.md,
# tests/data/index/README.md.
D=$(mktemp -d)
q="SELECT message_id, recipient, recipient_status, source, event_id FROM failures ORDER BY timestamp"
mailtrail index --db "$D/i.db" --logs tests/data/sql-report-agree --quiet --no-progress
mailtrail sql --db "$D/i.db" --format csv "$q"
mailtrail report --db "$D/i.db" --section totals --format csv | grep ',failed,'
mailtrail sql --db "$D/i.db" --format csv "SELECT count(*) AS failed FROM failures"
mailtrail sql --db "$D/i.db" ndr-by-code --format csv | awk -F, 'NR > 1 { s += $2 } END { print "ndr-by-code recipients " s }'
cp tests/data/index/schema5-failures.db "$D/old.db"
mailtrail sql --db "$D/old.db" --format csv "SELECT count(*) AS failed FROM failures"; echo "exit $?"
mailtrail index --db "$D/old.db" --logs tests/data/sql-report-agree --quiet --no-progress; echo "index exit $?"
mailtrail sql --db "$D/old.db" --format csv "SELECT value FROM meta WHERE key = 'schema_version'"
mailtrail sql --db "$D/old.db" --format csv "$q"
rm -rf "$D"
