# trace and sessions: a filter given twice is a usage error (the first was
# dropped in silence, as search did before). Help, version and sql written to
# a full disk exit 4 (they exited 0, sql said nothing).
mailtrail trace --logs tests/data/seed --sender a@x.test --sender alan.reid@mynet.lan; echo "exit $?"
mailtrail sessions --logs tests/data/smtp --sender a@x.test --sender b@x.test; echo "exit $?"
mailtrail --help > /dev/full; echo "help exit $?"
mailtrail version > /dev/full; echo "version exit $?"
mailtrail trace --help > /dev/full; echo "trace --help exit $?"
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
mailtrail sql --db "$D/i.db" "SELECT 1 AS a" > /dev/full; echo "sql exit $?"
rm -rf "$D"
