# --end at the midnight a daily log rolls over: the file of the new day
# begins with a line stamped a moment before midnight (A's DELIVER). The
# files are not skipped by the date in their name within the parser's 5
# minutes of slack, so --logs finds what --db finds, in search and report.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/late-line --quiet
for src in "--logs tests/data/late-line" "--db $D/i.db"; do
    mailtrail search $src --end 2016-09-01T00:00:00Z --format csv | cut -d, -f1,9,19 >"$D/s${src%% *}"
    mailtrail report $src --end 2016-09-01T00:00:00Z --format csv | grep -E '^(totals|traffic),.*,(received|delivered),' >"$D/r${src%% *}"
done
cat "$D/s--logs" "$D/r--logs"
cmp -s "$D/s--logs" "$D/s--db" && cmp -s "$D/r--logs" "$D/r--db" && echo "--logs = --db"
mailtrail search --logs tests/data/late-line --start 2016-09-01T00:00:00Z --format csv | cut -d, -f1,9,19
rm -rf "$D"
