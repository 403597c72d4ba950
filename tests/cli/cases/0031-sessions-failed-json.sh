mailtrail sessions --logs tests/data/smtp --failed --format json
