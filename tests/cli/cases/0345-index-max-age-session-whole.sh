# --max-age whose cut falls inside an SMTP session (10:22, in a session of
# 10:20-10:24) removes the session whole, as `sessions --start` leaves out a
# session that started before the window: only its lines after the cut were
# kept, and the index answered a fragment (started 10:24, 4 lines, refused at
# CONNECT, no MAIL FROM) that backpressure counted as a refused connection.
# The age is counted from now to 2016-09-01T10:22:00Z, two minutes from both
# ends of the session. SYNTHETIC: tests/data/retention-session/README.md.
D=$(mktemp -d)
L=tests/data/retention-session
mailtrail index --db "$D/x.db" --logs "$L" --quiet --no-progress
age=$(( $(date +%s) - 1472725320 ))
mailtrail index --db "$D/x.db" --quiet --no-progress --max-age "${age}s"
echo "max-age: exit $?"
mailtrail sql --db "$D/x.db" 'SELECT session_id, start, "end", lines FROM sessions ORDER BY start' --format csv
for c in sessions backpressure; do
    mailtrail $c --db "$D/x.db" --format csv > "$D/db.csv"
    echo "$c --db: exit $?"
    mailtrail $c --logs "$L" --start 2016-09-01T10:22:00Z --format csv > "$D/logs.csv"
    echo "$c --logs --start: exit $?"
    cmp -s "$D/db.csv" "$D/logs.csv" && echo "$c: same" || diff "$D/logs.csv" "$D/db.csv" | sed "s|$D|D|g"
done
{ mailtrail session 08D3D24A00000002 --db "$D/x.db"; echo "session: exit $?"; } 2>&1 | sed "s|$D|D|g"
rm -rf "$D"
