# tail beside a file that is not a log: it is said once, not at every look
# (16 times in 3 s at --interval 0.2, 86,400 times a day at the default),
# and the exit is 3 as search's, although the good file's events printed.
D=$(mktemp -d); mkdir -p "$D/live"
printf 'hello\r\nworld\r\n' > "$D/live/MSGTRK20160827-1.LOG"
cp tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG "$D/live/MSGTRK20160827-2.LOG"
mailtrail tail --logs "S1=$D/live" --from-start --duration 1 --interval 0.2 --format csv 2>&1 >/dev/null | sed "s|$D|D|g"
mailtrail tail --logs "S1=$D/live" --from-start --duration 0.3 --interval 0.1 --format csv > "$D/out" 2>/dev/null; echo "exit $?, $(($(wc -l < "$D/out") - 1)) events printed"
mailtrail search --logs "S1=$D/live" --count 2>/dev/null; echo "search: exit $?"
rm -rf "$D"
