mailtrail sessions --logs tests/data/exo-541 --class rejected-recipient --format table
