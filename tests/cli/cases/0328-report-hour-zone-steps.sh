# Offset changes that are not DST: Asia/Pyongyang went back 30 minutes
# (2015-08-15 00:00 +09 -> 2015-08-14 23:30 +08:30), so 23:00 of the 14th
# comes twice (the second, 15:00-15:30Z, was a bare "23:00" before the
# first); Asia/Kathmandu went forward 15 minutes (1986-01-01 00:00 +05:30 ->
# 00:15 +05:45), and 00:15-01:00 of the new year counted as 1985-12-31
# 23:00, by hour and by day. SYNTHETIC (tests/data/report-tz-steps).
for z in Asia/Pyongyang Asia/Kathmandu; do
    for by in hour day; do
        echo "$z by $by"
        mailtrail report --logs tests/data/report-tz-steps --tz $z --by $by --section traffic --format csv | grep ',received,' | grep -E '^traffic,(2015-08-1[45]|1985-12-31|1986-01-01)'
    done
done
