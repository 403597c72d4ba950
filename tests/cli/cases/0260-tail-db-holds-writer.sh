# tail --db is the index's writer for its whole run: an `index` started
# meanwhile is refused (exit 4, as docs/index.md says) instead of reading the
# new lines between two of tail's passes, which tail then never printed.
# A tail killed outright leaves a claim that no longer counts.
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; L=$D/logs/S/MSGTRK20160827-1.LOG
head -n 5 "$F" > "$L"
mailtrail tail --db "$D/i.db" --logs "$D/logs" --duration 5 --interval 0.2 --format csv > "$D/out" 2> "$D/err" & T=$!
claimed() {    # until a tail has claimed the index (at most 5 s)
    i=0
    while [ $i -lt 100 ] && [ -z "$(mailtrail sql --db "$D/i.db" --format csv \
            "SELECT value FROM meta WHERE key = 'writer'" 2>/dev/null | tail -n +2)" ]; do
        sleep 0.05; i=$((i + 1))
    done
}
claimed
mailtrail tail --db "$D/i.db" --logs "$D/logs" --duration 0.2 > /dev/null 2> "$D/terr"; echo "a second tail --db meanwhile: exit $?"; sed "s|$D|D|g" "$D/terr"
tail -n +6 "$F" >> "$L"
mailtrail index --db "$D/i.db" --logs "$D/logs" --quiet --no-progress 2> "$D/ierr"; echo "index meanwhile: exit $?"; sed "s|$D|D|g" "$D/ierr"
wait $T; echo "tail: exit $?, $(($(wc -l < "$D/out") - 1)) of $(tail -n +6 "$F" | wc -l) events printed"; cat "$D/err"
mailtrail index --db "$D/i.db" --logs "$D/logs" --quiet --no-progress; echo "index after: exit $?"
echo "the index holds $(mailtrail search --db "$D/i.db" --count) events"
# killed: its pid stays in meta('writer'), and does not stop the next writer
# (the binary itself in the background: mailtrail is a shell function here)
"$MT_BIN" tail --db "$D/i.db" --logs "$D/logs" --duration 30 > /dev/null 2>&1 & T=$!
claimed
kill -9 $T; wait $T 2>/dev/null
mailtrail index --db "$D/i.db" --logs "$D/logs" --quiet --no-progress; echo "index after a killed tail: exit $?"
rm -rf "$D"
