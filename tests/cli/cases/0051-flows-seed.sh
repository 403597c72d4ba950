mailtrail flows --logs tests/data/seed; mailtrail flows --logs tests/data/seed --start 2016-08-27T00:00:00Z --end 2016-08-28T00:00:00Z --format csv
