mailtrail report --logs tests/data/seed --format text
