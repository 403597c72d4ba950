mailtrail trace --logs tests/data/seed --subject OutBound-001
