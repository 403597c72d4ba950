mailtrail search --logs tests/data/seed --subject INBD-003 --tz Europe/Berlin --format table
