# A window of 450 ms cutting two messages: 7C2F.. (13:05:41.930 .. 13:05:42.514, SUBMIT on EX13-2, then
# EX13-1) at both ends, the DSN 3f6c.. (13:05:42.388 .. 13:05:42.701) at its end; each is counted whole.
mailtrail flows --logs tests/data/seed --start 2016-08-28T13:05:42.000Z --end 2016-08-28T13:05:42.450Z --format json; echo "flows exit $?"
# what trace --start/--end gives for the same window, hop by hop
mailtrail trace --logs tests/data/seed --start 2016-08-28T13:05:42.000Z --end 2016-08-28T13:05:42.450Z --result-size unlimited | grep -E '^(Message|Hop)'
# a window wider than the logs: the same as none
D=$(mktemp -d)
mailtrail flows --logs tests/data/seed --start 2016-01-01 --end 2017-01-01 > "$D/a"; echo "wide exit $?"
mailtrail flows --logs tests/data/seed > "$D/b"; cmp "$D/a" "$D/b" && echo "wide = no window"
rm -rf "$D"
