# report --by hour --tz: the hour repeated when clocks go back (Berlin,
# 2016-10-30 02:00) is two rows, each saying when it was in UTC; they were
# merged into one "02:00" row (11 received, looking like a spike). UTC rows
# for the same window for comparison. SYNTHETIC (gen).
D=$(mktemp -d)
mailtrail gen --out "$D/g" --seed 3 --start-date 2016-10-29 --days 2 --messages-per-day 400 > /dev/null
mailtrail report --logs "$D/g" --by hour --section traffic --tz Europe/Berlin --start "2016-10-30 01:00" --end "2016-10-30 04:00" --format csv | grep ",received,"
mailtrail report --logs "$D/g" --by hour --section traffic --start 2016-10-29T23:00:00Z --end 2016-10-30T03:00:00Z --format csv | grep ",received,"
rm -rf "$D"
