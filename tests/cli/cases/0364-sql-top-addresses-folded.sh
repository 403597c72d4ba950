# sql top-senders and top-recipients label an address as report prints it,
# folded (john@contoso.com): they gave one of its logged spellings
# (John@Contoso.com, JOHN@contoso.COM), so the two tables did not match.
# SYNTHETIC: tests/data/sql-report-agree/README.md.
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/sql-report-agree --quiet --no-progress
mailtrail sql --db "$D/i.db" top-senders --format csv | tr -d '\r' | tail -n +2 > "$D/sql-s.csv"
mailtrail sql --db "$D/i.db" top-recipients --format csv | tr -d '\r' | tail -n +2 > "$D/sql-r.csv"
mailtrail report --db "$D/i.db" --section senders,recipients --format csv | tr -d '\r' > "$D/report.csv"
# report's rows as sql's: address,count,bytes
top() { awk -F, -v t="$1" '$1 == t && $3 != "bytes" { o[++n] = $2; c[$2] = $4 } $1 == t && $3 == "bytes" { b[$2] = $4 } END { for (i = 1; i <= n; i++) print o[i] "," c[o[i]] "," b[o[i]] }' "$D/report.csv"; }
top senders_by_count > "$D/rep-s.csv"
top recipients_by_count > "$D/rep-r.csv"
echo "top-senders:"; cat "$D/sql-s.csv"
cmp -s "$D/sql-s.csv" "$D/rep-s.csv" && echo "= report's senders_by_count" || { echo DIFFERENT; diff "$D/sql-s.csv" "$D/rep-s.csv"; }
echo "top-recipients:"; cat "$D/sql-r.csv"
cmp -s "$D/sql-r.csv" "$D/rep-r.csv" && echo "= report's recipients_by_count" || { echo DIFFERENT; diff "$D/sql-r.csv" "$D/rep-r.csv"; }
# in a window, the one spelling it holds is folded too
mailtrail sql --db "$D/i.db" top-senders --start 2016-08-27T10:15:00Z --format csv
rm -rf "$D"
