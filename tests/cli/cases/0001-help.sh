mailtrail search --help
