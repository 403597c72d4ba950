# flows and pending over the messages of 0311: the same paths as trace
# gives them (the messages that came back are traced again), nothing
# pending. SYNTHETIC: tests/data/smarthost-return/README.md.
d=tests/data/smarthost-return/other-mtas
mailtrail flows --logs $d --format csv
mailtrail pending --logs $d; echo "pending exit $?"
