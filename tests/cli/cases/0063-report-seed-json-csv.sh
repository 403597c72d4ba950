mailtrail report --logs tests/data/seed --format json; mailtrail report --logs tests/data/seed --section totals,failures,events --format csv
