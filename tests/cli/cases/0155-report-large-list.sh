# report over a message to a list of 20,000, deferred and then delivered to
# all but one: one recipient is still deferred -- each one's last end is
# found among the 20,000 (by a table past 16 of them; searched linearly for
# every recipient, this took seconds).
D=$(mktemp -d); mkdir -p "$D/EX13-1"
head -n 5 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/EX13-1/MSGTRK20160718-1.LOG"
awk 'BEGIN {
    n = 20000; r = ""; s = "";
    for (i = 0; i < n; i++) { r = r (i ? ";" : "") "u" i "@mynet.lan"; s = s (i ? ";" : "") "250 2.1.5 OK" }
    printf "2016-07-18T15:57:15.000Z,10.0.0.5,mail.example.com,10.0.0.11,EX13-1,08D3C95618340496;2016-07-18T15:57:14.000Z;0,EX13-1\\Default EX13-1,SMTP,RECEIVE,1234,<list@example.com>,%s,%s,5000,%d,,,All staff,a@example.com,a@example.com,,Incoming,,,,\n", r, s, n
    d = ""; t = "";
    for (i = 0; i < n; i++) { d = d (i ? ";" : "") "u" i "@mynet.lan"; t = t (i ? ";" : "") "451 4.4.0 DNS query failed" }
    printf "2016-07-18T15:57:16.000Z,,EX13-1,10.0.0.11,EX13-1,,,SMTP,DEFER,1234,<list@example.com>,%s,%s,5000,%d,,,All staff,a@example.com,a@example.com,,Incoming,,,,\n", d, t, n
    sub(/;u19999@mynet.lan$/, "", r); sub(/;250 2.1.5 OK$/, "", s)
    printf "2016-07-18T15:57:17.000Z,,EX13-1,10.0.0.11,EX13-1,,,STOREDRIVER,DELIVER,1234,<list@example.com>,%s,%s,5000,%d,,,All staff,a@example.com,a@example.com,,Incoming,,,,\n", r, s, n - 1
}' >> "$D/EX13-1/MSGTRK20160718-1.LOG"
mailtrail report --logs "EX13-1=$D/EX13-1" --format json --threads 1 | head -n 1
mailtrail report --logs "EX13-1=$D/EX13-1" --format json --threads 2 | head -n 1
rm -rf "$D"
