mailtrail trace --logs tests/data/seed --subject HYPERLINK
