mailtrail sessions --logs tests/data/corpus/elastic-smtp --format json; mailtrail session 08DC1DB8591B229F --logs tests/data/corpus/elastic-smtp
