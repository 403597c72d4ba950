mailtrail flows --help; mailtrail pending --help; mailtrail trace --help
