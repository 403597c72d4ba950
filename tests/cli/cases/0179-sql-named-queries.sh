# Named queries count each message once: top-senders' and messages-per-hour's
# bytes summed every RECEIVE of a message (one per server it crossed), while
# their messages were counted once -- now the first RECEIVE's size, as report
# does. slowest-deliveries gives what its plain form through the views gives
# (that form took 383 s at 1.6 M events: quadratic). SYNTHETIC (mailtrail gen).
D=$(mktemp -d)
mailtrail gen --out "$D/org" --size 10M --seed 3 > /dev/null
mailtrail index --db "$D/i.db" --logs "$D/org" --quiet --no-progress
mailtrail sql top-senders --db "$D/i.db" --limit 5 --format csv | tr -d '\r' | tail -n +2 > "$D/sql.csv"
mailtrail report --db "$D/i.db" --section senders --top 5 --format csv | tr -d '\r' | awk -F, '$1 == "senders_by_count" && $3 == "messages" { m[$2] = $4; o[++n] = $2 } $1 == "senders_by_count" && $3 == "bytes" { b[$2] = $4 } END { for (i = 1; i <= n; i++) print o[i] "," m[o[i]] "," b[o[i]] }' > "$D/report.csv"
if cmp -s "$D/sql.csv" "$D/report.csv"; then echo "top-senders = report's senders by count:"; cat "$D/sql.csv"; else echo "DIFFERENT"; diff "$D/sql.csv" "$D/report.csv"; fi
echo "messages-per-hour, messages in all: $(mailtrail sql messages-per-hour --db "$D/i.db" --format csv | awk -F, 'NR > 1 { s += $2 } END { print s }')"
echo "distinct message ids received: $(mailtrail sql --db "$D/i.db" "SELECT count(DISTINCT message_id) FROM tracking WHERE event_id = 'RECEIVE'" --format csv | tail -n 1)"
mailtrail sql slowest-deliveries --db "$D/i.db" --limit 20 --format csv > "$D/new.csv"
mailtrail sql --db "$D/i.db" --format csv "SELECT d.message_id, d.recipient, r.first AS received, d.timestamp AS delivered, round((d.time_ms - r.first_ms) / 1000.0, 3) AS seconds FROM (SELECT message_id, min(timestamp) AS first, min(time_ms) AS first_ms FROM tracking WHERE event_id IN ('RECEIVE', 'SUBMIT') GROUP BY message_id) r JOIN recipients d ON d.message_id = r.message_id WHERE d.event_id = 'DELIVER' ORDER BY seconds DESC LIMIT 20" > "$D/old.csv"
if [ "$(cut -d, -f5 "$D/new.csv")" = "$(cut -d, -f5 "$D/old.csv")" ]; then echo "slowest-deliveries: the same 20 durations as through the views"; else echo "slowest-deliveries DIFFERENT"; fi
head -n 3 "$D/new.csv"
rm -rf "$D"
