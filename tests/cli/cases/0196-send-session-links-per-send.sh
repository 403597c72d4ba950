# Each SEND gets the session that carried it, though its internal id went
# out in other sessions too: 1234 was sent at 10:00 (AAA111) and again at
# 10:15 (BBB222); 777 went to two next hops at once, and its SEND at
# 11:00:00.300 (queued as CCC333) is session C's, though D began sending it
# later, nearer that SEND (all got the last session). A SEND whose
# source-context names its session keeps it (it got the session of a later
# SENDEXTERNAL, which names none: the one sending 1234 just before it). The
# index answers alike. SYNTHETIC: tests/data/send-links/README.md.
sid() { grep -o '"timestamp":"[^"]*"\|"internal_message_id":"[^"]*"\|"session_id":"[^"]*"' | paste -d' ' - - -; }
mailtrail search --logs tests/data/send-links/retry --event-id SEND --session-links | sid; echo "exit $?"
mailtrail search --logs tests/data/send-links/own-id --event-id SEND | sid
mailtrail search --logs tests/data/send-links/own-id --event-id SEND --session-links | sid
mailtrail search --logs tests/data/send-links/own-id --event-id SENDEXTERNAL --session-links | sid
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/send-links/retry --quiet
mailtrail search --db "$D/i.db" --event-id SEND --session-links | sid; echo "db exit $?"
rm -rf "$D"
