mailtrail search --logs tests/data/seed --subject "hyperlink" --format csv
