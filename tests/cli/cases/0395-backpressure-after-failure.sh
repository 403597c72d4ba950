# E1's first failure is a 550 5.1.1 to RCPT; after RSET its MAIL got
# 452 4.3.1 30 s late: refused for back pressure all the same (refused 2,
# not 1), and sessions --class back-pressure lists it beside E2.
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail backpressure --logs tests/data/smtp-edges/bp-after-failure --format csv
echo "backpressure: exit $?"
mailtrail sessions --logs tests/data/smtp-edges/bp-after-failure --class back-pressure --format csv
echo "sessions --class back-pressure: exit $?"
