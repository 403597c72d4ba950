# sql top-recipients counts what report's top recipients count: each recipient
# delivered or relayed out, with the events' bytes (it counted DELIVER events'
# message ids only: no recipient outside the organisation). slowest-deliveries
# measures as report's tracked latency: from the message's first event in the
# window (it went back to the RECEIVE before --start: 291.337 s here, where
# report, from the DEFER at 16:12:20.559, says 290 s). SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/org" --size 10M --seed 3 > /dev/null
mailtrail index --db "$D/i.db" --logs "$D/org" --quiet --no-progress
mailtrail sql top-recipients --db "$D/i.db" --format csv | tr -d '\r' | tail -n +2 > "$D/sql.csv"
mailtrail report --db "$D/i.db" --section recipients --top 100000 --format csv | tr -d '\r' | awk -F, '$1 == "recipients_by_count" && $3 == "recipients" { c[$2] = $4; o[++n] = $2 } $1 == "recipients_by_count" && $3 == "bytes" { b[$2] = $4 } END { for (i = 1; i <= n; i++) print o[i] "," c[o[i]] "," b[o[i]] }' > "$D/report.csv"
if cmp -s "$D/sql.csv" "$D/report.csv"; then echo "top-recipients = report's recipients_by_count: $(wc -l < "$D/sql.csv") addresses, $(grep -vc '@mynet.lan,' "$D/sql.csv") outside the organisation"; else echo "top-recipients DIFFERENT"; diff "$D/sql.csv" "$D/report.csv" | head -n 5; fi
head -n 3 "$D/sql.csv"
W="--start 2016-08-27T16:12:20 --end 2016-08-27T16:20"
mailtrail sql slowest-deliveries --db "$D/i.db" $W --limit 2 --format csv | tr -d '\r'
mailtrail sql slowest-deliveries --db "$D/i.db" $W --format csv | tr -d '\r' | awk -F, 'NR > 1 { n++; v = $5 * 1000; if (v > m) m = v } END { printf "sql: %d deliveries, longest %d ms\n", n, m }'
mailtrail report --db "$D/i.db" $W --section latency --format csv | tr -d '\r' | awk -F, '$1 == "latency" && $2 == "tracked" && $3 == "count" { n = $4 } $1 == "latency" && $2 == "tracked" && $3 == "max_ms" { m = $4 } END { printf "report tracked: %d deliveries, longest %d ms\n", n, m }'
rm -rf "$D"
