# A .gz/.zst log recompressed (another level: other bytes on disk, a new
# inode or the same one) or fetched again longer holds the same lines: its
# offset counts decompressed bytes, so its head is compared decompressed.
# It was "gone" + "new" (every line in the index twice); now it is read
# again (replaced). SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 1 --messages-per-day 30 --seed 6 > /dev/null
T=$D/g/EX13-1/TransportRoles/Logs
mkdir -p "$D/L/S"
cp "$T/MessageTracking/MSGTRK20160827-1.LOG" "$T/ProtocolLog/SmtpReceive/RECV20160827-1.LOG" "$D/L/S/"
head -n 40 "$D/g/smarthost/maillog" > "$D/L/S/maillog"
gzip -n -1 "$D/L/S/MSGTRK20160827-1.LOG" "$D/L/S/maillog"
zstd -q -1 --rm "$D/L/S/RECV20160827-1.LOG"
show() {
    mailtrail index --db "$D/i.db" --logs "$D/L" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    for q in "search --count" "sessions --format json" "trace --all --format json"; do
        a=$(mailtrail $q --logs "$D/L" | cksum); b=$(mailtrail $q --db "$D/i.db" | cksum)
        echo "$q: $(mailtrail $q --db "$D/i.db" | wc -l) lines, $([ "$a" = "$b" ] && echo same as || echo DIFFERS from) --logs"
    done
    mailtrail search --count --db "$D/i.db"
}
show
# recompressed into a new file (new inode), and in place (same inode), and the maillog fetched again whole
gzip -dc "$D/L/S/MSGTRK20160827-1.LOG.gz" | gzip -n -9 > "$D/t" && mv "$D/t" "$D/L/S/MSGTRK20160827-1.LOG.gz"
zstd -q -dc "$D/L/S/RECV20160827-1.LOG.zst" | zstd -q -19 > "$D/t" && cat "$D/t" > "$D/L/S/RECV20160827-1.LOG.zst"
gzip -n -9 -c "$D/g/smarthost/maillog" > "$D/L/S/maillog.gz"
show
# and once more unchanged
show
rm -rf "$D"
