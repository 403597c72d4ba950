# A reply that answers no command (the relay's "421 4.4.2 ... timeout
# exceeded" after 300 s of silence, sent on its own) was put down to the
# command "UNKNOWN", a verb no client sent. It answered nothing: sessions
# gives failure_command "" (JSON, CSV) with the reply, the outputs for
# people say "(unsolicited)" (list; `session`: "(unsolicited) -> 421 ..."). A session whose failure answered a command
# (E004's RCPT) and one that failed with no reply at all (E006) are as
# before. Also from the index. SYNTHETIC: tests/data/smtp-compare/README.md.
L=tests/data/smtp-compare
pick='
import json, sys
for l in sys.stdin:
    s = json.loads(l)
    if s["session_id"] in ("08DC83000000E004", "08DC83000000E005", "08DC83000000E006"):
        print(s["session_id"], s["failure_class"], json.dumps(s["failure_command"]), json.dumps(s["failure_reply"]))'
mailtrail sessions --logs $L --format json | python3 -c "$pick"
mailtrail sessions --logs $L --format csv | grep -E '^Session|E00[456],' | cut -d, -f1,15-18
mailtrail sessions --logs $L --format list | grep -A3 'FailureClass *: transient'
mailtrail session 08DC83000000E005 --logs $L | sed -n 4p
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet --no-progress
mailtrail sessions --db "$D/i.db" --format json | python3 -c "$pick"
mailtrail session 08DC83000000E005 --db "$D/i.db" | sed -n 4p
rm -rf "$D"
