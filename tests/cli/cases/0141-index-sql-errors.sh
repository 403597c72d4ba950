# Refusals, each with its exit code: writes, bad SQL, no index, both sources.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
{ mailtrail sql --db "$D/i.db" "DELETE FROM events"; echo "write exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELEC nonsense"; echo "bad sql exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELECT 1; SELECT 2"; echo "two statements exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELECT * FROM files WHERE 0"; echo "no rows exit $?"; } 2>&1 | cut -c1-60
{ mailtrail search --db "$D/none.db"; echo "no index exit $?"; } 2>&1 | sed "s|$D|DIR|g"
{ mailtrail search --db "$D/i.db" --logs tests/data/seed; echo "both exit $?"; } 2>&1
printf 'not a database at all\n%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 > "$D/junk.db"
{ mailtrail trace --db "$D/junk.db" x; echo "junk exit $?"; } 2>&1 | sed "s|$D|DIR|g"
{ mailtrail index --logs tests/data/seed; echo "no db exit $?"; } 2>&1
{ mailtrail index --db "$D/i.db" --max-age soon; echo "bad age exit $?"; } 2>&1
mailtrail sql --list; echo "list exit $?"
rm -rf "$D"
