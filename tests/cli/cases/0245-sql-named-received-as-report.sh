# top-senders, messages-per-hour and largest-messages count the messages
# report counts as received: a SUBMIT (m4 has no other event), a STOREDRIVER
# RECEIVE, an SMTP RECEIVE from outside -- not a hop from EX1 by name (m9) or
# by address (m10); each message once, in the hour of its first received
# event (m3's SUBMIT at 11:59:59), with the size of the first received event
# that has one (m5's second RECEIVE; not the intra-organisation RECEIVE of m1
# or m7), and a message without a message id is a row of its own. The sql
# output is followed by report's numbers on the same index.
# SYNTHETIC: tests/data/sql-received/README.md.
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/sql-received --quiet --no-progress
for q in top-senders messages-per-hour largest-messages; do
    mailtrail sql --db "$D/i.db" "$q" --format csv
done
mailtrail report --db "$D/i.db" --by hour --large 1 --format csv |
    grep -E '^(totals,,(received|bytes_received)|traffic,.*,(received|bytes)|senders_by_count|large_messages,.*,bytes),'
echo "from 14:10 (EX1's RECEIVE at 16:00 names its address: m10 is a hop, as report says over the whole window)"
mailtrail sql --db "$D/i.db" top-senders --start 2016-08-27T14:10:00Z --format csv
mailtrail report --db "$D/i.db" --start 2016-08-27T14:10:00Z --format csv --section senders | grep '^senders_by_count,'
echo "14:10 to 15:00 (EX1's address is in no RECEIVE of the window: m10 is from outside)"
mailtrail sql --db "$D/i.db" top-senders --start 2016-08-27T14:10:00Z --end 2016-08-27T15:00:00Z --format csv
mailtrail report --db "$D/i.db" --start 2016-08-27T14:10:00Z --end 2016-08-27T15:00:00Z --format csv --section senders |
    grep '^senders_by_count,'
rm -rf "$D"
