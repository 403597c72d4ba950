# report --tz Australia/Lord_Howe across its 30-minute change forward
# (2016-10-01T15:30Z, 02:00 +10:30 -> 02:30 +11): 02:30-03:00 is the local
# hour 02:00 (3 messages), not part of 01:00; the bucket was keyed at 15:00Z,
# which under the old offset is 01:30, so 01:00 showed 5 and 02:00 was gone.
# The hour-of-day section had the same fault. SYNTHETIC
# (tests/data/report-tz-steps).
mailtrail report --logs tests/data/report-tz-steps --tz Australia/Lord_Howe --by hour --section traffic --format csv | grep ',received,' | grep '2016-10-02'
mailtrail report --logs tests/data/report-tz-steps --tz Australia/Lord_Howe --start "2016-10-02 00:00" --end "2016-10-02 04:00" --section hourly --format csv | tr -d '\r' | grep ',received,' | grep -v ',0$'
