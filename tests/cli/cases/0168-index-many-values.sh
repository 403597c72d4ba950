# From an index as from the files: a --recipient list longer than 64 values
# (the SQL had 64 parameter slots: exit 4, "variable number must be
# between ?1 and ?250000"), and a message id longer than 1021 characters (its
# bracketed form did not fit a fixed buffer: found from the files, not from
# the index). SYNTHETIC: the seed's logs, and a line of them with a long id.
D=$(mktemp -d); mkdir -p "$D/long/EX13-1"
mailtrail index --db "$D/seed.db" --logs tests/data/seed --quiet --no-progress
many=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "nobody%d@mynet.lan,", i; print "alan.reid@mynet.lan" }')
echo "files: $(mailtrail search --logs tests/data/seed --recipient "$many" --count)"
echo "index: $(mailtrail search --db "$D/seed.db" --recipient "$many" --count)"
mailtrail trace --db "$D/seed.db" --recipient "$many" --format json | python3 -c 'import json,sys; print(len(sys.stdin.read().splitlines()), "messages traced from the index")'
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
long="<$(awk 'BEGIN { for (i = 0; i < 1100; i++) printf "A" }')@example.com>"
{ head -n 5 "$F"; sed -n 6p "$F" | awk -F, -v OFS=, -v id="$long" '{ $11 = id; print }'; } > "$D/long/EX13-1/MSGTRK20160827-1.LOG"
mailtrail index --db "$D/long.db" --logs "$D/long" --quiet --no-progress
echo "long id, files: $(mailtrail search --logs "$D/long" --message-id "$long" --count)"
echo "long id, index: $(mailtrail search --db "$D/long.db" --message-id "$long" --count)"
rm -rf "$D"
