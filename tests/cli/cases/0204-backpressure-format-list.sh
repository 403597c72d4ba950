# backpressure's help lists table, csv and json; --format list was taken and
# printed the table. Now it is a usage error, as for flows and pending.
mailtrail backpressure --logs tests/data/smtp --format list; echo "exit $?"
mailtrail backpressure --help | grep -e '--format'
mailtrail backpressure --logs tests/data/smtp --format table > /dev/null 2>&1; echo "table: exit $?"
