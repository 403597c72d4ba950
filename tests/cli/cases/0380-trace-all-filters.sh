# trace --all with --sender/--subject/--recipient: every message the filters pick, none left out
# (no --result-size cap), not every message of the logs with the filters ignored.
mailtrail trace --all --logs tests/data/seed --sender alan.reid@mynet.lan --format json | grep -o '^{"message_id":"[^"]*","subject":"[^"]*"'
echo "sender exit $?"
mailtrail trace --all --logs tests/data/seed --subject INBD-00 --format json | grep -o '^{"message_id":"[^"]*","subject":"[^"]*"' | wc -l
mailtrail trace --all --logs tests/data/seed --sender nobody@nowhere.invalid --format json; echo "no match exit $?"
mailtrail trace --all --logs tests/data/seed --format json | wc -l
