mailtrail sessions --help; mailtrail session --help; mailtrail backpressure --help
