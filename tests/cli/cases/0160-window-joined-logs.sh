# Two servers' logs of one day joined with cat into one file (times start
# again at the second header). A window must find every event in it: the
# first part running past --end must not end the file, and a piece holding
# the second header must not be skipped as "before --start". The count must
# equal the events of the unwindowed search whose times lie in the window.
# SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/org" --messages-per-day 600 --seed 5 > /dev/null
mkdir -p "$D/joined/S"
cat "$D"/org/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK*.LOG \
    "$D"/org/EX13-2/TransportRoles/Logs/MessageTracking/MSGTRK*.LOG > "$D/joined/S/MSGTRK20160827-1.LOG"
echo "joined: $(grep -c '^#Fields' "$D/joined/S/MSGTRK20160827-1.LOG") headers, more than one 64 KiB piece: $(test "$(wc -c < "$D/joined/S/MSGTRK20160827-1.LOG")" -gt 200000 && echo yes)"
for w in "10:00 11:00" "00:00 03:00" "20:00 23:59"; do
    set -- $w
    got=$(mailtrail search --logs "$D/joined" --start "2016-08-27T$1:00Z" --end "2016-08-27T$2:00Z" --count)
    want=$(mailtrail search --logs "$D/joined" --result-size unlimited --format csv 2>/dev/null |
           awk -F, -v a="2016-08-27T$1:00" -v b="2016-08-27T$2:00" 'NR > 1 && $1 >= a && $1 < b' | wc -l)
    echo "$1-$2: $got events (the unwindowed search has $want in the window)"
done
rm -rf "$D"
