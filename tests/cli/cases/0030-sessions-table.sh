mailtrail sessions --logs tests/data/smtp --format table
