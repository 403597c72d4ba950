# --format csv when nothing matched (exit 1) still writes the header row: a
# CSV reader wants the columns, and an empty file is no table. search and
# tail (from the files and from an index), sessions, backpressure, flows and
# pending. The CSVs of sql, report and activesync had it already.
mailtrail search --logs tests/data/seed --sender nobody@nowhere.example --format csv; echo "search exit $?"
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
mailtrail search --db "$D/i.db" --sender nobody@nowhere.example --format csv; echo "search --db exit $?"
mailtrail sql --db "$D/i.db" --format csv "SELECT server FROM tracking WHERE 0"; echo "sql exit $?"
rm -rf "$D"
mailtrail tail --logs tests/data/seed --from-start --sender nobody@nowhere.example --format csv --duration 0.1; echo "tail exit $?"
mailtrail sessions --logs tests/data/smtp-edges --sender nobody@nowhere.example --format csv; echo "sessions exit $?"
mailtrail backpressure --logs tests/data/backpressure-folders --start 2030-01-01 --format csv; echo "backpressure exit $?"
mailtrail flows --logs tests/data/seed --start 2030-01-01 --format csv; echo "flows exit $?"
mailtrail pending --logs tests/data/seed --start 2030-01-01 --format csv; echo "pending exit $?"
# with records, one header row as before
mailtrail search --logs tests/data/seed --event-id FAIL --format csv | head -n 1; echo "search FAIL"
mailtrail sessions --logs tests/data/smtp-edges --format csv | grep -c '^session_id,'; echo "sessions headers"
