mailtrail search --logs tests/data/no-such-folder --logs tests/data/seed --subject INBD-001 --format table
