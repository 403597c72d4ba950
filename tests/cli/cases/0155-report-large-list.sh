# report over a message to a list of 20,000, deferred and then delivered to
# all but one: one recipient is still deferred -- each one's last end is
# found among the 20,000 (by a table past 16 of them; searched linearly for
# every recipient, this took seconds).
D=$(mktemp -d); mkdir -p "$D/EX13-1"
head -n 5 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/EX13-1/MSGTRK20160718-1.LOG"
{
    awk -v n=20000 -v st='250 2.1.5 OK' -v head='2016-07-18T15:57:15.000Z,10.0.0.5,mail.example.com,10.0.0.11,EX13-1,08D3C95618340496;2016-07-18T15:57:14.000Z;0,EX13-1\\Default EX13-1,SMTP,RECEIVE' -f tests/cli/list-event.awk
    awk -v n=20000 -v st='451 4.4.0 DNS query failed' -v head='2016-07-18T15:57:16.000Z,,EX13-1,10.0.0.11,EX13-1,,,SMTP,DEFER' -f tests/cli/list-event.awk
    awk -v n=19999 -v st='250 2.1.5 OK' -v head='2016-07-18T15:57:17.000Z,,EX13-1,10.0.0.11,EX13-1,,,STOREDRIVER,DELIVER' -f tests/cli/list-event.awk
} >> "$D/EX13-1/MSGTRK20160718-1.LOG"
mailtrail report --logs "EX13-1=$D/EX13-1" --format json --threads 1 | head -n 1
mailtrail report --logs "EX13-1=$D/EX13-1" --format json --threads 2 | head -n 1
rm -rf "$D"
