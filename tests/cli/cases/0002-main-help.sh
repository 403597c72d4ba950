mailtrail --help
