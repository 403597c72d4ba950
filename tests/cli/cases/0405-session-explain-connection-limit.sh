# The reply explained as a connection limit, and `backpressure` counting our
# own receive connector refusing a sender at its limit as refused.
# SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail session 08DC39A000000301 --logs tests/data/smtp-classes/conn-limit
mailtrail backpressure --logs tests/data/smtp-classes/conn-limit --format csv
