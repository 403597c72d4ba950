# A message SUBMITted on a mailbox server and never received by transport is
# stuck, and pending lists it: state "submitted", recipient unknown (SUBMIT
# rows name none), its sender and subject. pending listed nothing (exit 1):
# it listed recipients, and this message has none. JSON and CSV carry the
# sender (a new last key / column) for every row. Files and index alike.
# SYNTHETIC: tests/data/pending-submit/README.md.
mailtrail pending --logs tests/data/pending-submit; echo "exit $?"
mailtrail pending --logs tests/data/pending-submit --format json
mailtrail pending --logs tests/data/pending-submit --format csv
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/pending-submit --quiet
mailtrail pending --db "$D/i.db" --format json; echo "exit $?"
rm -rf "$D"
