mailtrail backpressure --logs tests/data/smtp --format table; mailtrail backpressure --logs tests/data/smtp --format json
