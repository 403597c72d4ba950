# A message to a list of 20,000 (one RECEIVE, one DELIVER naming them all):
# every recipient is found, once, delivered -- trace, flows and the index
# alike. (Found with a linear search per recipient, this took seconds.)
D=$(mktemp -d); mkdir -p "$D/EX13-1"
head -n 5 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/EX13-1/MSGTRK20160718-1.LOG"
{
    awk -v n=20000 -v st='250 2.1.5 OK' -v head='2016-07-18T15:57:15.000Z,10.0.0.5,mail.example.com,10.0.0.11,EX13-1,08D3C95618340496;2016-07-18T15:57:14.000Z;0,EX13-1\\Default EX13-1,SMTP,RECEIVE' -f tests/cli/list-event.awk
    awk -v n=20000 -v st='250 2.1.5 OK' -v head='2016-07-18T15:57:16.000Z,,EX13-1,10.0.0.11,EX13-1,,,STOREDRIVER,DELIVER' -f tests/cli/list-event.awk
} >> "$D/EX13-1/MSGTRK20160718-1.LOG"
mailtrail trace --logs "EX13-1=$D/EX13-1" '<list@example.com>' --format json | grep -o '"outcome":"[a-z]*"' | sort | uniq -c
mailtrail trace --logs "EX13-1=$D/EX13-1" '<list@example.com>' | grep -c '@mynet.lan  *delivered'
mailtrail flows --logs "EX13-1=$D/EX13-1" | head -n 12
mailtrail index --db "$D/i.db" --logs "EX13-1=$D/EX13-1" --quiet
mailtrail trace --db "$D/i.db" '<list@example.com>' --format json | grep -o '"outcome":"[a-z]*"' | sort | uniq -c
rm -rf "$D"
