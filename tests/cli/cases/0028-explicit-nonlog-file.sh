mailtrail search --logs X=tests/data/seed/README.md --format json
