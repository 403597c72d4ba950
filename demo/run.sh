#!/bin/sh
# run.sh MAILTRAIL -- the demo: search the synthetic two-server DAG logs
# shipped in tests/data/seed (labelled synthetic there).
set -eu
mt=$1
logs=tests/data/seed
say() { printf '\n== %s\n$ %s\n' "$1" "$2"; }
say "Every event of the seed's outbound message, on both servers, in time order" \
    "mailtrail search --logs $logs --subject OutBound-001 --format table"
TZ=UTC "$mt" search --logs $logs --subject OutBound-001 --format table
say "The seed's own command, PowerShell spelling, read in the admin's zone (EDT)" \
    "mailtrail Get-MessageTrackingLog -Server EX13-2 -Start \"8/27/2016 10:45:00 PM\" -End \"8/27/2016 11:00:00 PM\" --tz America/New_York --logs $logs --format list"
"$mt" Get-MessageTrackingLog -Server EX13-2 -Start "8/27/2016 10:45:00 PM" -End "8/27/2016 11:00:00 PM" \
    --tz America/New_York --logs $logs --format list
say "Everything delivered, as JSON for scripts (first 3 lines)" \
    "mailtrail search --logs $logs --event-id DELIVER --format json | head -n 3"
"$mt" search --logs $logs --event-id DELIVER --format json | head -n 3
echo
echo "demo: done (data in $logs is synthetic; see its README.md)"
