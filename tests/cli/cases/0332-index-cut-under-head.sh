# A log cut short, its start kept, to less than the 4 KiB whose hash the
# index keeps: it cannot be compared with that head any more, and is read
# again (replaced), which is exact whatever it holds. It was counted gone
# and read as new: the lines it kept were in the index twice. Cut to more
# than 4 KiB it was, and is, replaced. SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 1 --messages-per-day 30 --seed 6 > /dev/null
F=$D/L/S/MSGTRK20160827-1.LOG
for cut in 3000 6000; do
    rm -rf "$D/L" "$D"/i.db*; mkdir -p "$D/L/S"
    cp "$D/g/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG" "$F"
    mailtrail index --db "$D/i.db" --logs "$D/L" --quiet
    head -c "$cut" "$D/g/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG" | sed '$d' > "$F"
    echo "cut to $(wc -c < "$F") bytes:"
    mailtrail index --db "$D/i.db" --logs "$D/L" --no-progress 2>&1 | sed "s|$D|D|g; s/ in [0-9.]* s$//"
    for q in "search --count" "sessions --format json" "trace --all --format json"; do
        a=$(mailtrail $q --logs "$D/L" | cksum); b=$(mailtrail $q --db "$D/i.db" | cksum)
        echo "$q: $(mailtrail $q --db "$D/i.db" | wc -l) lines, $([ "$a" = "$b" ] && echo same as || echo DIFFERS from) --logs"
    done
    echo "events: $(mailtrail search --count --db "$D/i.db") in the index, $(mailtrail search --count --logs "$D/L") in the file"
done
rm -rf "$D"
