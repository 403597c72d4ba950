# Two servers' logs made alike: the same directives and the same first
# events, so the same first 4 KiB (the head tail tells a log by). tail took
# the second, found while following the first, for the first grown: the
# events of its first 16 lines were not printed, and the first log was no
# longer followed under its own name. Now a file whose head is a log's is
# that log only where that log is no longer (its inode and name hold it no
# more): both are followed, every event printed once. SYNTHETIC (seed).
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160828-1.LOG
G=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160829-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S1" "$D/logs/S2"
printed() {    # until tail has printed $1 events (at most 10 s)
    i=0
    while [ $i -lt 200 ] && [ $(($(wc -l < "$D/out") - 1)) -lt "$1" ]; do sleep 0.05; i=$((i + 1)); done
}
show() { awk -F, 'NR > 1 { print $1, $(NF - 1), "line " $NF }' "$D/out" | sed "s|$D|D|g"; cat "$D/err"; }
head -n 16 "$F" > "$D/logs/S1/MSGTRK20160828-1.LOG"
echo "the first $(head -n 16 "$F" | head -c 4096 | wc -l | tr -d ' ') lines are in the first 4 KiB"
: > "$D/out"
mailtrail tail --logs "$D/logs" --from-start --count 24 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
printed 11
{ head -n 16 "$F"; sed -n 9p "$G"; } > "$D/new" && mv "$D/new" "$D/logs/S2/MSGTRK20160828-1.LOG"
printed 23
sed -n 17p "$F" >> "$D/logs/S1/MSGTRK20160828-1.LOG"
wait $T; echo "tail: exit $?"; show
rm -rf "$D"
