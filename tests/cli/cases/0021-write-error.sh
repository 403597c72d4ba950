mailtrail search --logs tests/data/seed --format json > /dev/full
