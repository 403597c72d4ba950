# Every command that takes --start, --end and --tz takes each once, as
# search does: a second one is a usage error, not the last one winning.
mailtrail trace --all --logs tests/data/seed --start 2016-08-28 --start 2016-07-01; echo "exit $?"
mailtrail flows --logs tests/data/seed --end 2016-08-28 --end 2016-09-01; echo "exit $?"
mailtrail pending --logs tests/data/seed --tz UTC --tz America/New_York; echo "exit $?"
mailtrail report --logs tests/data/seed --start 2016-08-28 --start 2016-07-01; echo "exit $?"
mailtrail backpressure --logs tests/data/seed --end 2016-08-28 --end 2016-09-01; echo "exit $?"
mailtrail sql --db /nonexistent.db --tz UTC --tz UTC 'select 1'; echo "exit $?"
mailtrail tail --logs tests/data/seed --start 2016-08-28 --start 2016-07-01 --count; echo "exit $?"
