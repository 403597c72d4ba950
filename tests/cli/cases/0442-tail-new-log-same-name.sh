# tail passes over the lines of a log it has read when that log comes back
# at its name grown or copied (cases 0440, 0441), known by its head: a new
# log at the same name starts otherwise, and all its events are printed --
# whether it is another day's log (another #Date) renamed over the name, or
# one with the same directives but other rows, or one cut and written anew
# in place. SYNTHETIC (seed).
S=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking
F=$S/MSGTRK20160828-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; L=$D/logs/S/MSGTRK20160828-1.LOG
printed() {    # until tail has printed $1 events (at most 10 s)
    i=0
    while [ $i -lt 200 ] && [ $(($(wc -l < "$D/out") - 1)) -lt "$1" ]; do sleep 0.05; i=$((i + 1)); done
}
show() { awk -F, 'NR > 1 { print $1, $(NF - 1), "line " $NF }' "$D/out" | sed "s|$D|D|g"; cat "$D/err"; }
head -n 8 "$F" > "$L"
: > "$D/out"
mailtrail tail --logs "$D/logs" --from-start --count 12 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
printed 3
cp "$S/MSGTRK20160829-1.LOG" "$D/new" && mv "$D/new" "$L"    # another #Date: 5 events
printed 8
{ head -n 5 "$S/MSGTRK20160829-1.LOG"; sed -n 12,13p "$F"; } > "$D/new" && mv "$D/new" "$L"    # same directives, other rows
printed 10
: > "$L"; { head -n 5 "$F"; sed -n 14,15p "$F"; } >> "$L"    # cut, written anew in place
wait $T; echo "tail: exit $?"; show
rm -rf "$D"
