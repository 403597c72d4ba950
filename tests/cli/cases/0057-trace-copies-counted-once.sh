mailtrail trace --logs tests/data/seed --logs tests/data/compressed --subject INBD-003
