# A log indexed, then a different small log (under the 4 KiB head kept) at
# its path, as a rotation makes one: (a) the old file renamed within the
# folders: renamed, the new one new; (b) the old file removed: its events
# are kept, gone, as any removed file's, and the new one is added -- they
# were removed, the new file taken for a rewrite of the old (`replaced`);
# (c) the same for a Postfix log, and for the empty file logrotate's
# `create` makes. The same log cut short in a new file (the same
# directives: rewritten) is still read again (`replaced`). SYNTHETIC
# (mailtrail gen, two seeds: two different logs).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 1 --messages-per-day 30 --seed 6 > /dev/null
mailtrail gen --out "$D/h" --servers 1 --messages-per-day 30 --seed 7 > /dev/null
OLD=$D/g/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
NEW=$D/h/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
F=$D/L/S/MSGTRK2016082700-1.LOG
run() {
    mailtrail index --db "$D/i.db" --logs "$D/L" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    echo "events: $(mailtrail search --count --db "$D/i.db") in the index, $(mailtrail search --count --logs "$D/L") in the files"
    mailtrail sql --db "$D/i.db" --format csv "SELECT replace(substr(path, 1, instr(path || ' (', ' (') - 1), '$D', 'D') AS path, kind, lines, gone_at IS NOT NULL AS gone FROM files ORDER BY id"
}
fresh() { rm -rf "$D/L" "$D"/i.db*; mkdir -p "$D/L/S"; cp "$1" "$2"; mailtrail index --db "$D/i.db" --logs "$D/L" --quiet; }
echo "== (a) renamed, a small new log at its name"
fresh "$OLD" "$F"
mv "$F" "$D/L/S/MSGTRK2016082699-1.LOG"
head -c 3000 "$NEW" | sed '$d' > "$F"
run
echo "== (b) removed, a small new log at its name"
fresh "$OLD" "$F"
rm "$F"
head -c 3000 "$NEW" | sed '$d' > "$F"
run
echo "== (b) the same log cut short in a new file"
fresh "$OLD" "$F"
head -c 3000 "$OLD" | sed '$d' > "$F.new"; mv "$F.new" "$F"
run
echo "== (c) maillog rotated out of the folders, a new one started"
fresh "$D/g/smarthost/maillog" "$D/L/S/maillog"
mv "$D/L/S/maillog" "$D/maillog.1"
head -n 5 "$D/h/smarthost/maillog" > "$D/L/S/maillog"
run
echo "== (c) logrotate create: an empty file first, then written"
fresh "$OLD" "$F"
rm "$F"; : > "$F"
run
head -c 3000 "$NEW" | sed '$d' > "$F"
run
rm -rf "$D"
