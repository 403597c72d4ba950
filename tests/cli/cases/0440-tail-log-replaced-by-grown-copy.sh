# A folder mirrored rsync-style: each update writes a temporary copy of the
# grown log, then renames it over the log. The index reads the file again
# from its start (another file at the name), and tail printed every event of
# it again, each time. Now a file whose head (first bytes) is that of a log
# tail has read is that log: only its new lines are printed. Without
# --from-start, the lines there when tail started are not printed either.
# SYNTHETIC (seed).
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160828-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; L=$D/logs/S/MSGTRK20160828-1.LOG
printed() {    # until tail has printed $1 events (at most 10 s)
    i=0
    while [ $i -lt 200 ] && [ $(($(wc -l < "$D/out") - 1)) -lt "$1" ]; do sleep 0.05; i=$((i + 1)); done
}
mirror() {     # the log's first $1 lines, as a mirror puts them in place
    head -n "$1" "$F" > "$D/logs/S/.MSGTRK20160828-1.LOG.tmp" && mv "$D/logs/S/.MSGTRK20160828-1.LOG.tmp" "$L"
}
show() { awk -F, 'NR > 1 { print $1, $(NF - 1), "line " $NF }' "$D/out" | sed "s|$D|D|g"; cat "$D/err"; }
echo "-- --from-start: 3 events, then the mirror grows it to 5, then 6"
mirror 8
: > "$D/out"
mailtrail tail --logs "$D/logs" --from-start --count 6 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
printed 3; mirror 10; printed 5; mirror 11
wait $T; echo "tail: exit $?"; show
echo "-- --db, not from the start: the first 3 events are not printed, then 2, then 1"
rm -f "$D/logs/S/"*; mirror 8
: > "$D/out"
mailtrail tail --db "$D/i.db" --logs "$D/logs" --count 3 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
i=0    # until its first pass has read the log (at most 10 s)
while [ $i -lt 200 ] && [ "$(mailtrail sql --db "$D/i.db" --format csv "SELECT lines FROM files" 2>/dev/null | tail -n +2 | tr -d "\r")" != 8 ]; do
    sleep 0.05; i=$((i + 1))
done
mirror 10; printed 2; mirror 11
wait $T; echo "tail: exit $?"; show
rm -rf "$D"
