mailtrail search --logs tests/data/seed --frobnicate
