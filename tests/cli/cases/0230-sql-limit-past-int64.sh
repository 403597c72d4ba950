# sql --limit takes any unsigned 64-bit number: one past 2^63-1 (SQLite's
# largest LIMIT) failed as "datatype mismatch" with exit 4; it means no limit,
# as 2^63-1 does. SYNTHETIC: tests/data/seed/README.md.
db=$(mktemp -d)/i.db
mailtrail index --db "$db" --logs tests/data/seed --quiet --no-progress
mailtrail sql --db "$db" event-counts --limit 18446744073709551615 --format csv; echo "exit $?"
mailtrail sql --db "$db" event-counts --limit 9223372036854775807 --format csv; echo "exit $?"
mailtrail sql --db "$db" event-counts --limit 1 --format csv; echo "exit $?"
rm -rf "$(dirname "$db")"
