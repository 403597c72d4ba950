mailtrail search --logs tests/data/bad --format json --result-size unlimited
