# sql largest-messages has report's large-list time and server, the sizing
# event's (m5: its second RECEIVE, 13:10 on EX2; m2 and m3: the store
# driver's RECEIVE after the SUBMIT); it had neither, only first_seen.
# event-counts orders a server's tied counts as report --server does, by the
# event id's bytes (NOTIFYMAPI before SUBMIT); it gave them by descending id.
# Each sql table is followed by report's. SYNTHETIC: tests/data/sql-received/
# README.md and tests/data/seed/README.md.
D=$(mktemp -d)
mailtrail index --db "$D/r.db" --logs tests/data/sql-received --quiet --no-progress
mailtrail sql --db "$D/r.db" largest-messages --format csv | cut -d, -f1-5
mailtrail report --db "$D/r.db" --section sizes --large 1 --format csv |
    awk -F, '$1 == "large_messages" && $3 ~ /^(bytes|time|sender|server)$/ { printf "%s%s", ($3 == "bytes" ? $2 "," : ","), $4 }
             $1 == "large_messages" && $3 == "server" { print "" }'
mailtrail index --db "$D/s.db" --logs tests/data/seed --quiet --no-progress
for s in EX13-1 EX13-2; do
    mailtrail sql --db "$D/s.db" event-counts --format csv | grep "^$s,"
    mailtrail report --db "$D/s.db" --server "$s" --section events --format csv | grep '^events,'
done
rm -rf "$D"
