mailtrail search --logs tests/data/bad --sender alan.reid@mynet.lan --format table --stats
