# A recipient nothing decided by the end of the logs (in transit) is shown
# where and when the last event of its path named it, as pending says:
# b@corp.lan was received on EX1 at 10:00 and never sent on. trace printed it
# unknown with no server (JSON "server":"", "timestamp":null) while pending
# named EX1. Files and index alike.
# SYNTHETIC: tests/data/pending-in-transit/README.md.
mailtrail trace '<stuck@ext.example>' --logs tests/data/pending-in-transit
mailtrail trace '<stuck@ext.example>' --logs tests/data/pending-in-transit --format json | sed 's/.*"recipients":\[{"address"/[{"address"/'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/pending-in-transit --quiet
mailtrail trace '<stuck@ext.example>' --db "$D/i.db" --format json | sed 's/.*"recipients":\[{"address"/[{"address"/'
mailtrail pending --db "$D/i.db"
rm -rf "$D"
