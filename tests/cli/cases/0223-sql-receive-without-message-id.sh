# A RECEIVE without a message id is a message of its own in the sql named
# queries, as in report (top-senders and messages-per-hour left it out).
# SYNTHETIC: tests/data/receive-no-msgid/README.md.
db=$(mktemp -d)/i.db
mailtrail index --db "$db" --logs tests/data/receive-no-msgid --quiet --no-progress
mailtrail sql --db "$db" top-senders --format csv
mailtrail sql --db "$db" messages-per-hour --format csv
mailtrail report --logs tests/data/receive-no-msgid --section totals --format json | grep -o '"received":[0-9]*,\|"bytes_received":[0-9]*'
rm -rf "$(dirname "$db")"
