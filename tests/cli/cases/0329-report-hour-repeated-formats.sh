# The rows of Lord Howe's repeated hour (2016-04-03 01:00) carry the same
# labels, in the same order, in JSON keys, the HTML table and chart, and
# from --db (the index feeds the same report). SYNTHETIC
# (tests/data/report-tz-steps).
D=$(mktemp -d)
set -- --tz Australia/Lord_Howe --by hour --section traffic --start "2016-04-03 00:00" --end "2016-04-03 03:00"
mailtrail report --logs tests/data/report-tz-steps "$@" --format json
mailtrail report --logs tests/data/report-tz-steps "$@" --format html | grep -o '2016-04-03 0[^<"]*'
mailtrail index --db "$D/i.db" --logs tests/data/report-tz-steps --quiet --no-progress
mailtrail report --db "$D/i.db" "$@" --format csv
rm -rf "$D"
