# A log cut short and written again in place, the same as before for its
# first 16 lines (its first 4 KiB, the head tail tells a log by) and other
# lines after. tail passed over as many lines as it had read of the log
# (17), so the new 17th line was never printed. Now a line is passed over
# only when it is the line read there: from the first that differs, every
# line is printed. SYNTHETIC (seed).
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160828-1.LOG
G=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160829-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; L=$D/logs/S/MSGTRK20160828-1.LOG
printed() {    # until tail has printed $1 events (at most 10 s)
    i=0
    while [ $i -lt 200 ] && [ $(($(wc -l < "$D/out") - 1)) -lt "$1" ]; do sleep 0.05; i=$((i + 1)); done
}
show() { awk -F, 'NR > 1 { print $1, $(NF - 1), "line " $NF }' "$D/out" | sed "s|$D|D|g"; cat "$D/err"; }
cp "$F" "$L"
: > "$D/out"
mailtrail tail --logs "$D/logs" --from-start --count 14 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
printed 12
# cut and written in place (same inode), shorter than what was read
: > "$L"; { head -n 16 "$F"; sed -n 9p "$G"; } >> "$L"
echo "cut to $(wc -c < "$L" | tr -d ' ') bytes from $(wc -c < "$F" | tr -d ' ')" > "$D/size"
printed 13
sed -n 10p "$G" >> "$L"
wait $T; echo "tail: exit $?"; show
cat "$D/size"
rm -rf "$D"
