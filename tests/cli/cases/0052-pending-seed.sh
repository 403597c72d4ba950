mailtrail pending --logs tests/data/seed; mailtrail pending --logs tests/data/seed --end 2016-08-28T15:00:00Z --format json
