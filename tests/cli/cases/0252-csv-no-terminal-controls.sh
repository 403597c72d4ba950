# No CSV of mailtrail holds a character a terminal would act on: `cat` of the
# file ran a subject's or sender's ESC sequences (erase a line, retitle the
# window), BEL, DEL and C1 CSI. Each is one U+FFFD now, as in the outputs for
# people; tab, CR and LF stay (RFC 4180), quoting and the formula guard are
# as before. Counted over every CSV cell of search, flows, pending, sessions,
# report and sql. SYNTHETIC: tests/data/hostile-text/README.md.
L=tests/data/hostile-text
scan='
import sys
t = sys.stdin.buffer.read().decode("utf-8")
bad = [c for c in t if (ord(c) < 0x20 and c not in "\t\r\n") or 0x7F <= ord(c) < 0xA0]
print(sys.argv[1], len(t.splitlines()), "lines,", len(bad), "controls,", t.count("\ufffd"), "U+FFFD")'
mailtrail search --logs $L --format csv | python3 -c "$scan" search
mailtrail flows --logs $L --format csv | python3 -c "$scan" flows
mailtrail pending --logs $L --format csv | python3 -c "$scan" pending
mailtrail sessions --logs $L --format csv | python3 -c "$scan" sessions
mailtrail report --logs $L --format csv | python3 -c "$scan" report
mailtrail report --logs $L --format csv --section senders | grep pwned
mailtrail search --logs $L --message-id m3@x --format csv | cut -d, -f19-20 | od -c | sed 's/  */ /g'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT subject, sender FROM tracking ORDER BY timestamp" --format csv |
    python3 -c "$scan" sql
rm -rf "$D"
