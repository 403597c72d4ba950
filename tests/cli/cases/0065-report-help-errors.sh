mailtrail report --help; mailtrail report --logs tests/data/seed --section nonsense; mailtrail report --logs tests/data/seed --start 2030-01-01 --format text
