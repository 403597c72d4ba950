# While another process holds the index's writer claim (here a tail --db),
# `index` is refused and says only that (no "0 files" summary after it), and
# `index --rebuild` is refused the same way instead of removing the files
# under it: both exit 4, and the index keeps its events.
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
D=$(mktemp -d); mkdir -p "$D/logs/S"; head -n 20 "$F" > "$D/logs/S/MSGTRK20160827-1.LOG"
mailtrail index --db "$D/i.db" --logs "$D/logs" --quiet --no-progress; echo "index: exit $?"
# the binary itself in the background: mailtrail is a shell function here
"$MT_BIN" tail --db "$D/i.db" --logs "$D/logs" --duration 30 --interval 0.2 > /dev/null 2>&1 & T=$!
i=0
while [ $i -lt 100 ] && [ -z "$(mailtrail sql --db "$D/i.db" --format csv \
        "SELECT value FROM meta WHERE key = 'writer'" 2>/dev/null | tail -n +2)" ]; do
    sleep 0.05; i=$((i + 1))
done
mailtrail index --db "$D/i.db" --logs "$D/logs" --no-progress > "$D/o" 2>&1; echo "index meanwhile: exit $?"
sed "s|$D|D|g" "$D/o"
mailtrail index --rebuild --db "$D/i.db" --logs "$D/logs" --no-progress > "$D/o" 2>&1; echo "rebuild meanwhile: exit $?"
sed "s|$D|D|g" "$D/o"
ls "$D" | grep -c '^i\.db$'
kill $T; wait $T 2>/dev/null
echo "the index holds $(mailtrail search --db "$D/i.db" --count) events"
mailtrail index --rebuild --db "$D/i.db" --logs "$D/logs" --quiet --no-progress; echo "rebuild after: exit $?"
echo "the index holds $(mailtrail search --db "$D/i.db" --count) events"
rm -rf "$D"
