# report --tz Europe/Paris, clocks back (2016-10-30, 02:00 twice: 00:00 and
# 01:00 UTC) and forward (2016-03-27, no 02:00), by hour and by day; then a
# POSIX zone (+01:30 -> +00:30 at 00:30Z) whose repeated 01:00 starts at
# 23:30 UTC the day before and at 00:30 UTC: rows in time order, not in the
# order of their labels' UTC time of day (00:30 came first).
# SYNTHETIC (tests/data/report-tz-steps).
mailtrail report --logs tests/data/report-tz-steps --tz Europe/Paris --by hour --section traffic --format csv | grep ',received,' | grep -E '2016-(03-27|10-30)'
mailtrail report --logs tests/data/report-tz-steps --tz Europe/Paris --by day --section traffic --format csv | grep ',received,' | grep -E '2016-(03-2|10-[23])'
mailtrail report --logs tests/data/report-tz-steps --tz 'XST-0:30XDT-1:30,M3.5.0/1,M10.5.0/2' --by hour --section traffic --format csv | grep ',received,' | grep '2016-10-30'
