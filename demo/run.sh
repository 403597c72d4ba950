#!/bin/sh
# run.sh MAILTRAIL -- the demo. Part 1 searches the two-server DAG of the
# seed write-ups (tests/data/seed, hand-made, synthetic); part 2 generates a
# small simulated organisation (synthetic, see its README) and follows one
# message across its servers.
set -eu
mt=$1
seed=tests/data/seed
org=demo/out/org
say() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

say "Every event of the seed's outbound message, on both servers, in time order" \
    "mailtrail search --logs $seed --subject OutBound-001 --format table"
"$mt" search --logs $seed --subject OutBound-001 --format table

say "The seed's own command, PowerShell spelling, times read in the admin's zone (EDT)" \
    "mailtrail Get-MessageTrackingLog -Server EX13-2 -Start \"8/27/2016 10:45:00 PM\" -End \"8/27/2016 11:00:00 PM\" -EventId SUBMIT --tz America/New_York --logs $seed --format list"
"$mt" Get-MessageTrackingLog -Server EX13-2 -Start "8/27/2016 10:45:00 PM" -End "8/27/2016 11:00:00 PM" \
    -EventId SUBMIT --tz America/New_York --logs $seed --format list

say "A simulated organisation: 2 servers, one day, 2000 messages (SYNTHETIC)" \
    "mailtrail gen --out $org --messages-per-day 2000 --seed 7"
rm -rf "$org"
"$mt" gen --out "$org" --messages-per-day 2000 --seed 7
du -sh "$org"

# An outbound message relayed through the smart host, from the ground truth.
mid=$(grep '"direction":"outbound"' "$org/ground-truth.jsonl" | grep '"outcome":"relayed"' | head -n 1 |
      sed 's/^{"message_id":"\([^"]*\)".*/\1/')
say "One outbound message across every server" "mailtrail search --logs $org --message-id '$mid' --format table"
"$mt" search --logs "$org" --message-id "$mid" --format table

say "The same message traced: hops in causal order, how each is linked, each recipient's fate" \
    "mailtrail trace '$mid' --logs $org"
"$mt" trace "$mid" --logs "$org"

say "The seed's INBD-003: received by EX13-1, relayed to its partner, delivered there" \
    "mailtrail trace --logs $seed --subject INBD-003"
"$mt" trace --logs $seed --subject INBD-003

say "Where the day's mail went" "mailtrail flows --logs $org"
"$mt" flows --logs "$org"

say "SMTP sessions refused under back pressure, and the first one explained" \
    "mailtrail sessions --logs $org --class back-pressure --format table"
"$mt" sessions --logs "$org" --class back-pressure --format table || true
"$mt" backpressure --logs "$org" || true

say "What failed that day" "mailtrail search --logs $org --event-id FAIL --format table --result-size 10"
"$mt" search --logs "$org" --event-id FAIL --format table --result-size 10 || true

say "How many DELIVER events each server logged" \
    "mailtrail search --logs $org --server EX13-1 --event-id DELIVER --count"
printf 'EX13-1 delivered: '; "$mt" search --logs "$org" --server EX13-1 --event-id DELIVER --count
printf 'EX13-2 delivered: '; "$mt" search --logs "$org" --server EX13-2 --event-id DELIVER --count
db=demo/out/mail.db
rm -f "$db" "$db-wal" "$db-shm"
say "The organisation's logs into an index (SQLite); a second run adds only what is new" \
    "mailtrail index --db $db --logs $org"
"$mt" index --db "$db" --logs "$org"
"$mt" index --db "$db" --logs "$org"

say "The same trace, answered from the index" "mailtrail trace '$mid' --db $db --format json | head -c 400"
"$mt" trace "$mid" --db "$db" --format json | head -c 400; echo

say "SQL on the index: the day's top senders, and NDRs by status code" \
    "mailtrail sql --db $db top-senders --limit 5; mailtrail sql --db $db ndr-by-code --limit 5"
"$mt" sql --db "$db" top-senders --limit 5 --format table
"$mt" sql --db "$db" ndr-by-code --limit 5 --format table || true

echo
echo "demo: done (all data shown is synthetic; see $seed/README.md and $org/README)"
