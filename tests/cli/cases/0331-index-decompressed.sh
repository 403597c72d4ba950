# Logs indexed as .gz/.zst, then decompressed: `gunzip -k` (the plain file
# beside the .gz, which the log set leaves out as its compressed copy) or
# `gunzip`. The plain file holds the compressed one's lines: it takes over
# its row (renamed) and reads only what follows. It was read as a new file,
# the .gz's records kept besides: every line twice. SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 1 --messages-per-day 30 --seed 6 > /dev/null
T=$D/g/EX13-1/TransportRoles/Logs
mkdir -p "$D/L/S"
cp "$T/MessageTracking/MSGTRK20160827-1.LOG" "$T/ProtocolLog/SmtpSend/SEND20160827-1.LOG" "$D/L/S/"
head -n 40 "$D/g/smarthost/maillog" > "$D/L/S/maillog"
gzip -n "$D/L/S/MSGTRK20160827-1.LOG" "$D/L/S/maillog"
zstd -q --rm "$D/L/S/SEND20160827-1.LOG"
show() {
    mailtrail index --db "$D/i.db" --logs "$D/L" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    for q in "search --count" "sessions --format json" "trace --all --format json"; do
        a=$(mailtrail $q --logs "$D/L" 2>/dev/null | cksum); b=$(mailtrail $q --db "$D/i.db" | cksum)
        echo "$q: $(mailtrail $q --db "$D/i.db" | wc -l) lines, $([ "$a" = "$b" ] && echo same as || echo DIFFERS from) --logs"
    done
    mailtrail search --count --db "$D/i.db"
}
show
# gunzip -k, zstd -d (keeps the .zst), gunzip: the plain files take over
gunzip -k "$D/L/S/MSGTRK20160827-1.LOG.gz"
zstd -q -d "$D/L/S/SEND20160827-1.LOG.zst"
gunzip "$D/L/S/maillog.gz"
show
# the plain maillog written on: only the new lines are read
sed -n '41,$p' "$D/g/smarthost/maillog" >> "$D/L/S/maillog"
show
# the plain tracking log removed again: the .gz kept beside takes its row back
rm "$D/L/S/MSGTRK20160827-1.LOG"
show
mailtrail sql --db "$D/i.db" --format csv "SELECT replace(path, '$D', 'D') AS path, kind, complete, offset = size AS whole FROM files ORDER BY path"
rm -rf "$D"
