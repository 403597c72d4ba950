mailtrail sessions --logs tests/data/smtp --remote 10.0.0.300; mailtrail sessions --logs tests/data/smtp --class nonsense; mailtrail session --logs tests/data/smtp
