# gen wrote SMTP sessions to lists of 40 and more cut short (96 operations at
# most: no DATA, no queued reply, no disconnect), so that sessions called
# them dropped failures although the tracking logs had their RECEIVE and
# SEND. Every session of this organisation ends, the long ones as "ok".
# SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D" --size 20M --seed 11 > /dev/null
mailtrail sessions --logs "$D" --format csv 2>/dev/null | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
big = [r for r in rows if len(r["rcpt_to"].split(";")) > 40]
print(len(rows), "sessions;", sum(r["failure_class"] == "dropped" for r in rows), "dropped;",
      len(big), "to more than 40 recipients, of them", sum(r["outcome"] == "ok" for r in big), "ok")'
rm -rf "$D"
