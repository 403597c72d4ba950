# sessions and session take --start, --end and --tz once, as search does
# (0423, 0424): a second one is a usage error, not the last one winning.
# session's --compare names one session, so it too is taken once.
mailtrail sessions --logs tests/data/smtp-edges --start 2024-03-01 --start 2024-02-01; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-edges --end 2024-03-02 --end 2024-04-01; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-edges --tz UTC --tz America/New_York; echo "exit $?"
mailtrail session 08DC39A0000000F1 --logs tests/data/smtp-edges --tz UTC --tz America/New_York; echo "exit $?"
mailtrail session 08DC39A0000000D2 --logs tests/data/smtp-edges --compare 08DC39A0000000D1 --compare 08DC39A0000000C1; echo "exit $?"
# once each is still fine
mailtrail sessions --logs tests/data/smtp-edges --start 2024-03-01 --end 2024-03-02 --tz UTC --format csv >/dev/null; echo "exit $?"
