mailtrail search --logs tests/data/seed --start "31/31/2016"
