mailtrail search --logs tests/data/seed --format json --result-size unlimited
