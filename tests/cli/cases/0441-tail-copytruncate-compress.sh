# logrotate's copytruncate with compress: the log copied into F.1.gz, cut
# to nothing, then written on. The index reads the .gz as a new file (what
# it held at its old name was cut), and tail printed the events it had
# printed from the log again, from the .gz. Now the .gz is known by its head
# (decompressed) as the log tail read: only what the log gets after is
# printed. SYNTHETIC (seed).
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160828-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; L=$D/logs/S/MSGTRK20160828-1.LOG
printed() {    # until tail has printed $1 events (at most 10 s)
    i=0
    while [ $i -lt 200 ] && [ $(($(wc -l < "$D/out") - 1)) -lt "$1" ]; do sleep 0.05; i=$((i + 1)); done
}
show() { awk -F, 'NR > 1 { print $1, $(NF - 1), "line " $NF }' "$D/out" | sed "s|$D|D|g"; cat "$D/err"; }
head -n 8 "$F" > "$L"
: > "$D/out"
mailtrail tail --logs "$D/logs" --from-start --count 6 --duration 20 --interval 0.1 --format csv > "$D/out" 2> "$D/err" & T=$!
printed 3; sed -n 9p "$F" >> "$L"; printed 4
# the .gz made aside and moved in whole: tail must not see it half written
gzip -c "$L" > "$D/MSGTRK20160828-1.LOG.1.gz"; mv "$D/MSGTRK20160828-1.LOG.1.gz" "$L.1.gz"
: > "$L"; { head -n 5 "$F"; sed -n 10p "$F"; } >> "$L"
printed 5; sed -n 11p "$F" >> "$L"
wait $T; echo "tail: exit $?"; show
echo "the .gz holds lines $(gzip -dc "$L.1.gz" | wc -l | tr -d ' '), the log $(wc -l < "$L" | tr -d ' ')"
rm -rf "$D"
