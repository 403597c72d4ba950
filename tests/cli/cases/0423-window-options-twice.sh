# --start, --end and --tz take one value, as --event-id does: given twice
# (a window pasted after another) they are a usage error, not the last wins.
mailtrail search --logs tests/data/seed --start 2016-08-28 --start 2016-07-01 --count; echo "exit $?"
mailtrail search --logs tests/data/seed --end 2016-08-28 --end 2016-09-01 --count; echo "exit $?"
mailtrail search --logs tests/data/seed --tz UTC --tz America/New_York --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -Start 8/27/2016 -End 8/29/2016 -Start 8/28/2016 --logs tests/data/seed --count; echo "exit $?"
