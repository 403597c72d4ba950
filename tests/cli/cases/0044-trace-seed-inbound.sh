mailtrail trace --logs tests/data/seed --subject INBD-00
