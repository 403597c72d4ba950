# flows and pending from the index over windows cutting messages: the same as from the logs.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet; echo "index exit $?"
for w in "2016-08-28T14:59:00Z 2016-08-28T15:01:00Z" "2016-08-28T14:58:00Z 2016-08-28T14:59:00Z" \
         "2016-08-28T13:05:42.000Z 2016-08-28T13:05:42.450Z"; do
    set -- $w
    mailtrail flows --db "$D/i.db" --start "$1" --end "$2" --format json > "$D/db"; echo "db exit $?"
    mailtrail flows --logs tests/data/seed --start "$1" --end "$2" --format json > "$D/logs"
    cmp "$D/db" "$D/logs" && echo "same as the logs"; cat "$D/db"
    mailtrail pending --db "$D/i.db" --start "$1" --end "$2"; echo "pending db exit $?"
done
rm -rf "$D"
