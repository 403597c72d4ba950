# A file that starts with two BOMs (a BOM-only file joined with a log by
# cat): it is still a tracking log, and its first line still a directive.
# It was "not a message tracking log" (exit 3, no events), or its #Software
# line a malformed row. SYNTHETIC (the seed's logs).
D=$(mktemp -d); mkdir -p "$D/EX13-1"
{ printf '\357\273\277'; cat tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG; } > "$D/EX13-1/MSGTRK20160827-1.LOG"
mailtrail search --logs "$D" --count --stats 2>&1 | sed "s|$D|D|g"
mailtrail index --db "$D/i.db" --logs "$D/EX13-1" --quiet --no-progress; echo "index: exit $?"
echo "from the index: $(mailtrail search --db "$D/i.db" --count)"
rm -rf "$D"
