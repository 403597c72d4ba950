# JSON stays empty when nothing matched: it is one object per line (JSON
# Lines), so no line is the empty result, and "[]" would be a record of the
# wrong shape to a reader of lines. table and list, for people, print
# nothing either: exit 1 says it. Each with exit 1.
mailtrail search --logs tests/data/seed --sender nobody@nowhere.example --format json; echo "search json exit $?"
mailtrail search --logs tests/data/seed --sender nobody@nowhere.example --format table; echo "search table exit $?"
mailtrail search --logs tests/data/seed --sender nobody@nowhere.example --format list; echo "search list exit $?"
mailtrail sessions --logs tests/data/smtp-edges --sender nobody@nowhere.example --format json; echo "sessions json exit $?"
mailtrail backpressure --logs tests/data/backpressure-folders --start 2030-01-01 --format json; echo "backpressure json exit $?"
mailtrail flows --logs tests/data/seed --start 2030-01-01 --format json; echo "flows json exit $?"
mailtrail pending --logs tests/data/seed --start 2030-01-01 --format json; echo "pending json exit $?"
mailtrail tail --logs tests/data/seed --from-start --sender nobody@nowhere.example --format json --duration 0.1; echo "tail json exit $?"
