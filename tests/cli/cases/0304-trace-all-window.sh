# trace --all with --start/--end: every message of the window (an event in it), traced whole -- the
# messages flows counts -- not every message of the logs.
D=$(mktemp -d)
mailtrail trace --all --logs tests/data/seed --start 2016-08-28T13:05:42.000Z --end 2016-08-28T13:05:42.450Z --format json > "$D/out"; echo "window exit $?"
grep -o -e '^{"message_id":"[^"]*"' -e '"first_seen":"[^"]*","last_seen":"[^"]*"' "$D/out"
mailtrail trace --all --logs tests/data/seed --format json | wc -l
mailtrail trace --all --logs tests/data/seed --start 2016-08-28T14:58:50Z --end 2016-08-28T14:59:40Z; echo "empty window exit $?"
rm -rf "$D"
