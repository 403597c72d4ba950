mailtrail search --logs tests/data/seed --sender nobody@nowhere.example --format json
