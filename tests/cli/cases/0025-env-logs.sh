export MAILTRAIL_LOGS=tests/data/seed; mailtrail search --subject "int to int" --format table
