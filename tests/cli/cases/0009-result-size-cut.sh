mailtrail search --logs tests/data/seed --result-size 3 --format table
