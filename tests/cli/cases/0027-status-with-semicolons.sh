mailtrail search --logs tests/data/seed --event-id FAIL --format json
