# A device's compliance is the one its latest request states, latest in
# command-line order then line order, even when another thread read the
# earlier file after the later one.
T=$(mktemp -d)
for pa in 1 3; do
    {
        echo '#Fields: date time cs-uri-stem cs-uri-query'
        echo "2024-03-04 10:00:00 /Microsoft-Server-ActiveSync User=a&DeviceId=D1&Cmd=Sync&Log=V141_Pa$pa"
        echo "2024-03-04 10:01:00 /Microsoft-Server-ActiveSync User=b&DeviceId=D2&Cmd=Sync&Log=V141_Pa2_Pa$pa"
        echo "2024-03-04 10:02:00 /Microsoft-Server-ActiveSync User=c&DeviceId=D3&Cmd=Sync"
    } > "$T/pa$pa.log"
done
echo '#Fields: date time cs-uri-stem cs-uri-query' > "$T/none.log"
echo '2024-03-05 10:00:00 /Microsoft-Server-ActiveSync User=a&DeviceId=D1&Cmd=Ping' >> "$T/none.log"
for order in "pa1 pa3 none" "pa3 pa1 none" "pa3 none pa1"; do
    set --
    for f in $order; do set -- "$@" "$T/$f.log"; done
    for t in 1 2 3; do
        mailtrail activesync --threads $t --use-gmt --output-path "$T" "$@"
        echo "$order, threads $t: exit $?"
        cut -d, -f1,26 "$T/Users.csv" | tail -n +2
        cat "$T/PolicyCompliance.csv"
    done
done
rm -rf "$T"
