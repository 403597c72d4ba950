# An index made before session 9 kept a .gz/.zst file's head as the hash of
# its raw (compressed) bytes; rows are now looked for by the decompressed
# head. Such a row (made here by rewriting head_len/head_hash as that code
# stored them) stays unchanged, and gets the decompressed head on that run:
# the file decompressed next (gunzip -k, gunzip) or recompressed takes over
# its row. It stayed raw, and the plain file was read as a new one beside
# it: every event twice. SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 1 --messages-per-day 30 --seed 6 > /dev/null
T=$D/g/EX13-1/TransportRoles/Logs
old_heads() {
    python3 - "$D/i.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for fid, path in db.execute("SELECT id, path FROM files").fetchall():
    b = open(path, 'rb').read(4096)
    h = 1469598103934665603
    for c in b:
        h = ((h ^ c) * 1099511628211) & 0xffffffffffffffff
    db.execute("UPDATE files SET head_len = ?, head_hash = ? WHERE id = ?", (len(b), h & 0x7fffffffffffffff, fid))
db.commit()
PY
}
show() {
    mailtrail index --db "$D/i.db" --logs "$D/L" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    echo "events: $(mailtrail search --count --db "$D/i.db") in the index, $(mailtrail search --count --logs "$D/L" 2>/dev/null) in the files;" \
         "protocol-log sessions: $(mailtrail sessions --db "$D/i.db" --format json | wc -l), $(mailtrail sessions --logs "$D/L" --format json 2>/dev/null | wc -l)"
}
for how in "gunzip -k" gunzip recompress; do
    echo "== $how"
    rm -rf "$D/L" "$D"/i.db*; mkdir -p "$D/L/S"
    cp "$T/MessageTracking/MSGTRK20160827-1.LOG" "$T/ProtocolLog/SmtpSend/SEND20160827-1.LOG" "$D/L/S/"
    gzip -n "$D/L/S/MSGTRK20160827-1.LOG"; zstd -q --rm "$D/L/S/SEND20160827-1.LOG"
    mailtrail index --db "$D/i.db" --logs "$D/L" --quiet
    old_heads
    show
    case $how in
    recompress) gzip -dc "$D/L/S/MSGTRK20160827-1.LOG.gz" | gzip -n -1 > "$D/L/S/x"; mv "$D/L/S/x" "$D/L/S/MSGTRK20160827-1.LOG.gz"
                zstd -q -d --rm "$D/L/S/SEND20160827-1.LOG.zst"; zstd -q -19 --rm "$D/L/S/SEND20160827-1.LOG" ;;
    *) $how "$D/L/S/MSGTRK20160827-1.LOG.gz"; zstd -q -d --rm "$D/L/S/SEND20160827-1.LOG.zst" ;;
    esac
    show
done
rm -rf "$D"
