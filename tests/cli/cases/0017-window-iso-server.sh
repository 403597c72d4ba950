mailtrail search --logs tests/data/seed --server ex13-1 --start 2016-08-27T21:50:00Z --end 2016-08-27T22:30:00Z --format table --stats
