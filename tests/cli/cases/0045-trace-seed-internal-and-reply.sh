mailtrail trace --logs tests/data/seed --subject "int to int 1"
