# A MAIL FROM answered, or given up on, after 7 s is not back pressure's
# tarpit (10 s or more, MT_BP_TARPIT_MS): backpressure does not count it and
# session shows the silence without calling it tarpitting; at 10 s both do.
# SYNTHETIC: tests/data/tarpit-threshold/README.md.
mailtrail backpressure --logs tests/data/tarpit-threshold --format csv; echo "backpressure: exit $?"
mailtrail backpressure --logs tests/data/tarpit-threshold --end 2024-03-02T10:10:00; echo "backpressure before 10:10: exit $?"
mailtrail session 08DC3A1000000001 --logs tests/data/tarpit-threshold | grep -F 'silence'; echo "session 01"
mailtrail session 08DC3A1000000002 --logs tests/data/tarpit-threshold | grep -F 'silence'; echo "session 02"
mailtrail session 08DC3A1000000003 --logs tests/data/tarpit-threshold | grep -F 'silence'; echo "session 03"
