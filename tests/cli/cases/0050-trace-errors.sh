mailtrail trace --logs tests/data/seed "<no-such-id@x>"; mailtrail trace --logs tests/data/seed; mailtrail trace --logs tests/data/seed --format pdf OutBound
