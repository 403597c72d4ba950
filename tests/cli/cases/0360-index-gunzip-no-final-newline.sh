# A .gz tracking log whose last line has no newline, indexed, then
# decompressed (`gunzip -k`, then the .gz removed; or `gunzip`): the plain
# file holds exactly the lines the .gz was read with, its last one without
# its newline, and takes over the row. It was read as a new file, the .gz's
# row kept besides (a copy left out, then gone): every event twice. The
# plain file written on afterwards: the newline that ends the last line read
# is not a line of its own (line numbers go on as the file's), and a last
# line continued instead is not the line read: the file is read again.
# SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 1 --messages-per-day 30 --seed 6 > /dev/null
G=$D/g/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
F=$D/L/S/MSGTRK20160827-1.LOG
show() {
    mailtrail index --db "$D/i.db" --logs "$D/L" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    for q in "search --count" "search --format json" "trace --all --format json"; do
        a=$(mailtrail $q --logs "$D/L" 2>/dev/null | cksum); b=$(mailtrail $q --db "$D/i.db" | cksum)
        echo "$q: $(mailtrail $q --db "$D/i.db" | wc -l) lines, $([ "$a" = "$b" ] && echo same as || echo DIFFERS from) --logs"
    done
    echo "events: $(mailtrail search --count --db "$D/i.db") in the index, $(mailtrail search --count --logs "$D/L" 2>/dev/null) in the files"
}
for how in "gunzip -k" gunzip; do
    echo "== $how"
    rm -rf "$D/L" "$D"/i.db*; mkdir -p "$D/L/S"
    head -n 40 "$G" | head -c -2 > "$F"   # the 40th line without its "\r\n"
    gzip -n "$F"
    show
    $how "$F.gz"
    show
    rm -f "$F.gz"
    show
done
echo "== the plain file's last line ended, and lines added"
printf '\r\n' >> "$F"; sed -n '41,50p' "$G" >> "$F"
show
mailtrail sql --db "$D/i.db" --format csv "SELECT replace(path, '$D', 'D') AS path, lines, offset = size AS whole FROM files"
echo "== the last line continued instead"
rm -rf "$D/L" "$D"/i.db*; mkdir -p "$D/L/S"
head -n 40 "$G" | head -c -40 > "$F"
gzip -n "$F"
show
gunzip "$F.gz"
head -n 40 "$G" | tail -n 1 | tail -c 40 >> "$F"
show
rm -rf "$D"
