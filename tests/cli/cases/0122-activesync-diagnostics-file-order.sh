# Diagnostics come grouped by file in command-line order whatever the
# threads and however long each file takes: a big file first, small ones
# with bad lines after it, a missing one in the middle.
T=$(mktemp -d)
{
    echo '#Fields: date time cs-uri-stem cs-uri-query cs-username'
    i=0
    while [ $i -lt 20000 ]; do
        echo "2024-03-04 10:00:00 /Microsoft-Server-ActiveSync/default.eas User=u$((i % 50))&DeviceId=D$((i % 50))&Cmd=Sync -"
        i=$((i + 1))
    done
    echo '2024-03-04 10:00:00 /owa/ bad'
} > "$T/a.log"
for f in b c d; do
    printf '#Fields: date time cs-uri-stem\n2024-03-04 10:00:00 /owa/ %s\n2024-03-04 10:00:00\n' "$f" > "$T/$f.log"
done
for t in 1 2 4; do
    i=0
    while [ $i -lt 3 ]; do
        mailtrail activesync --threads $t --use-gmt --output-path "$T" "$T/a.log" "$T/c.log" "$T/missing.log" \
            "$T/b.log" "$T/d.log" 2>"$T/err.$t.$i"
        echo "threads $t run $i: exit $?"
        i=$((i + 1))
    done
done
for f in "$T"/err.*; do cmp -s "$T/err.1.0" "$f" || echo "$(basename "$f") differs"; done
sed "s#$T#T#g" "$T/err.1.0"
rm -rf "$T"
