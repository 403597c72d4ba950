# tail takes search's filters under search's names, with search's meanings
# (it knew only some, and --message-subject where search says --subject:
# --subject, --start, --end, --internal-message-id, --network-message-id,
# --reference and --transport-traffic-type were unknown options), and its
# usage errors read as the other commands' ("mailtrail tail: ...", then
# "Try 'mailtrail tail --help'."). Each filter: tail --from-start prints
# what search finds, the same CSV lines (tail's in the order they are read:
# the elastic file is not in time order).
D=$(mktemp -d)
same() {
    logs=$1; shift
    mailtrail tail --logs "$logs" --from-start --duration 0.2 --interval 0.1 --format csv "$@" > "$D/t" 2>/dev/null; trc=$?
    mailtrail search --logs "$logs" --result-size unlimited --format csv "$@" > "$D/s" 2>/dev/null; src=$?
    sort "$D/t" > "$D/t1"; sort "$D/s" > "$D/s1"
    cmp -s "$D/t1" "$D/s1" && how="the same lines" || how="DIFFERENT lines"
    echo "$*: tail exit $trc, search exit $src, $(($(wc -l < "$D/s") - 1)) events, $how"
}
S=EX13-1=tests/data/seed/EX13-1
same "$S" --subject "int to int"
same "$S" --message-subject BUDGET
same "$S" --start 2016-08-28T13:00:00Z --end 2016-08-28T14:00:00Z
same "$S" --start "8/28/2016 2:58:48 PM" --tz UTC
same "$S" --internal-message-id 5261
same "$S" --reference "<7C2F0A9E64B14D8EA3F51C6B29D07E42@EX13-2.mynet.lan>"
same "$S" --event-id DELIVER --end 2016-08-28
same tests/data/corpus/elastic --network-message-id C95B5DD1-F520-1234-E6DC-56DC1DB8914D
same tests/data/corpus/elastic --transport-traffic-type Email
echo "-- usage errors"
mailtrail tail --logs "$S" --subject; echo "exit $?"
mailtrail tail --logs "$S" --bogus; echo "exit $?"
mailtrail tail --logs "$S" stray; echo "exit $?"
mailtrail tail --logs "$S" --internal-message-id 1,2; echo "exit $?"
mailtrail tail --logs "$S" --start yesterday-ish; echo "exit $?"
mailtrail tail --logs "$S" --reference " "; echo "exit $?"
rm -rf "$D"
