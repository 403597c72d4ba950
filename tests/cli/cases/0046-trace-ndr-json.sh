mailtrail trace --logs tests/data/seed --subject "Q3 budget" --format json
