# sql writes its times in --tz as report does: messages-per-hour groups by
# the hour of the zone's clock (with the offset, so the two 02:00 hours of
# a night the clocks go back are two rows, in the order of time) and gives
# report --by hour's counts; largest-messages' times and the functions
# mt_time() and mt_hour() for any statement. Without --tz: UTC, as before.
# They were UTC whatever --tz said (it only read --start and --end).
# SYNTHETIC: tests/data/report-tz-steps/README.md.
L=tests/data/report-tz-steps
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet
for z in Europe/Paris Australia/Lord_Howe; do
    echo "== $z"
    mailtrail sql --db "$D/i.db" messages-per-hour --tz $z --start 2016-03-26 --format csv
    mailtrail sql --db "$D/i.db" messages-per-hour --tz $z --format csv | tr -d '\r' | tail -n +2 | cut -d, -f2 > "$D/sql"
    mailtrail report --logs $L --by hour --tz $z --section traffic --format json |
        grep -o '"received":[0-9]*' | cut -d: -f2 > "$D/report"
    cmp "$D/sql" "$D/report" && echo "report --by hour: the same counts"
done
mailtrail sql --db "$D/i.db" largest-messages --limit 2 --tz Asia/Kathmandu
mailtrail sql --db "$D/i.db" largest-messages --limit 2
mailtrail sql --db "$D/i.db" "SELECT mt_time(min(time_ms)) AS first, mt_hour(min(time_ms)) AS hour, mt_time(NULL) AS none FROM events" --tz Asia/Kathmandu --format json
mailtrail sql --db "$D/i.db" "SELECT mt_hour(max(time_ms)) AS hour FROM events" --format json
rm -rf "$D"
