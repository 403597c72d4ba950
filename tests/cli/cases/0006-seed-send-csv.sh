mailtrail search --logs tests/data/seed --event-id send --format csv
