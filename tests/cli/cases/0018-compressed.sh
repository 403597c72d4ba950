mailtrail search --logs tests/data/compressed --format table --result-size unlimited
