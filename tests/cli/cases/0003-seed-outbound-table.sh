mailtrail search --logs tests/data/seed --subject outbound-001 --format table
