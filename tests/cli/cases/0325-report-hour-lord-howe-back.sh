# report --tz Australia/Lord_Howe across its 30-minute change back
# (2016-04-02T15:00Z, 02:00 +11 -> 01:30 +10:30): local 01:00 comes twice,
# as two rows each labelled with the UTC time its bucket starts, in time
# order. Only the first was labelled and the second came first as a bare
# "01:00" (the "repeated" test looked a whole hour either side, and the
# second bucket was keyed half an hour before it starts). By day: 23.5 + 24.5
# hours stay whole days. SYNTHETIC (tests/data/report-tz-steps).
mailtrail report --logs tests/data/report-tz-steps --tz Australia/Lord_Howe --by hour --section traffic --format csv | grep ',received,' | grep '2016-04-0[23]'
mailtrail report --logs tests/data/report-tz-steps --tz Australia/Lord_Howe --by day --section traffic --format csv | grep ',received,' | grep '2016-04-0[23]'
