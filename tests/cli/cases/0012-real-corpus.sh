mailtrail search --logs tests/data/corpus --format json
