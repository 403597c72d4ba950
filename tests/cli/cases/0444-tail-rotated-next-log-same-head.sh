# A log rotated by renaming (it keeps its inode) and a new log made at its
# name that begins as it did: the same directives and first events, so the
# same first 4 KiB. tail took the new log for the old one and printed only
# what followed its 16th line. Now the old log is known by its inode at its
# new name, so the new one is another log: all its events are printed, and
# none of the renamed one's again. SYNTHETIC (seed).
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160828-1.LOG
G=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160829-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; L=$D/logs/S/MSGTRK20160828-1.LOG
printed() {    # until tail has printed $1 events (at most 10 s)
    i=0
    while [ $i -lt 200 ] && [ $(($(wc -l < "$D/out") - 1)) -lt "$1" ]; do sleep 0.05; i=$((i + 1)); done
}
show() { awk -F, 'NR > 1 { print $1, $(NF - 1), "line " $NF }' "$D/out" | sed "s|$D|D|g"; cat "$D/err"; }
head -n 16 "$F" > "$L"
: > "$D/out"
mailtrail tail --logs "$D/logs" --from-start --count 24 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
printed 11
{ head -n 16 "$F"; sed -n 9p "$G"; } > "$D/new"
mv "$L" "$L.1"; mv "$D/new" "$L"
printed 23
sed -n 10p "$G" >> "$L"
wait $T; echo "tail: exit $?"; show
rm -rf "$D"
