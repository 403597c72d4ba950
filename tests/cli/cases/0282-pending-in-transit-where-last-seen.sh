# A recipient with no fate waits where an event last named it: b@corp.lan was
# received on EX1 at 10:00 and never sent on, so it is in transit on EX1 since
# 10:00. pending showed the message's last event instead (a's delivery on EX2
# at 10:05). Files and index alike.
# SYNTHETIC: tests/data/pending-in-transit/README.md.
mailtrail pending --logs tests/data/pending-in-transit
mailtrail pending --logs tests/data/pending-in-transit --format csv
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/pending-in-transit --quiet
mailtrail pending --db "$D/i.db" --format json
rm -rf "$D"
