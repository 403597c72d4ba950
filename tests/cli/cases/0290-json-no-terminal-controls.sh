# No JSON of mailtrail holds a character a terminal or a viewer would act
# on: DEL and the C1 controls (CSI, U+009B, does what ESC [ does) went out
# raw, as did the bidi marks and overrides (U+202E shows an address
# backwards). Each is its \u escape now: the bytes are ASCII, the parsed
# strings the same (the decoded subjects below still hold DEL, U+009B and
# U+202E). Counted over every JSON of search, sessions, report, sql and
# trace. SYNTHETIC: tests/data/hostile-text/README.md, tests/data/bidi-text/README.md.
H=tests/data/hostile-text
B=tests/data/bidi-text
scan='
import json, sys
t = sys.stdin.buffer.read().decode("utf-8")
bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
bad = [c for c in t if 0x7F <= ord(c) < 0xA0 or c in bidi]
try:
    docs = [json.loads(t)]
except ValueError:
    docs = [json.loads(l) for l in t.splitlines() if l.strip()]
print(sys.argv[1], len(docs), "documents,", len(bad), "raw controls,", t.count("\\u007f"), "DEL,",
      t.count("\\u009b"), "CSI,", sum(t.count("\\u%04x" % ord(c)) for c in bidi), "bidi escaped")'
mailtrail search --logs $H --format json | python3 -c "$scan" search
mailtrail sessions --logs $H --format json | python3 -c "$scan" sessions
mailtrail report --logs $H --format json | python3 -c "$scan" report
mailtrail trace "<m4@x>" --logs $H --format json | python3 -c "$scan" trace
mailtrail search --logs $B --format json | python3 -c "$scan" search-bidi
mailtrail report --logs $B --format json | python3 -c "$scan" report-bidi
mailtrail trace "<b1@x>" --logs $B --format json | python3 -c "$scan" trace-bidi
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $B --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT subject, sender FROM tracking ORDER BY timestamp" --format json |
    python3 -c "$scan" sql-bidi
rm -rf "$D"
# lossless: what a JSON reader gets back
mailtrail search --logs $H --format json | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e["message_id"] in ("<m3@x>", "<m4@x>"):
        print(ascii(e["message_subject"]))'
mailtrail search --logs $B --format json | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(ascii(e["message_subject"]), ascii(e["sender_address"]), ascii(e["recipients"]))'
