# The common rotation: the log renamed, a new file made at its name. The
# renamed file keeps its row and goes on from where it stopped; the new one
# is read from its start. It was read again whole as a new file (and tail
# printed its events again), whichever name sorted first. SYNTHETIC (seed).
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
for to in MSGTRK20160826-1.LOG MSGTRK20160828-1.LOG; do
    D=$(mktemp -d); mkdir -p "$D/EX"
    head -n 8 "$F" > "$D/EX/MSGTRK20160827-1.LOG"
    mailtrail index --db "$D/i.db" --logs "S=$D/EX" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    mv "$D/EX/MSGTRK20160827-1.LOG" "$D/EX/$to"
    sed -n 9,20p "$F" >> "$D/EX/$to"
    { head -n 5 "$F"; sed -n 9,10p "$F"; } > "$D/EX/MSGTRK20160827-1.LOG"
    mailtrail index --db "$D/i.db" --logs "S=$D/EX" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    echo "renamed to $to: $(mailtrail search --db "$D/i.db" --count) events in the index, $(mailtrail search --logs "S=$D/EX" --count) in the files"
    rm -rf "$D"
done
