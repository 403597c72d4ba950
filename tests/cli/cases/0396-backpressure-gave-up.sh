# A sender that gave up after 45 s without a reply to MAIL FROM: backpressure
# counts it delayed (45000 ms), as `session` calls the silence tarpitting
# (backpressure printed nothing).
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail backpressure --logs tests/data/smtp-edges/bp-gave-up --format csv
echo "backpressure: exit $?"
mailtrail session 08DC39A0000000F1 --logs tests/data/smtp-edges/bp-gave-up
