# sessions JSON tells the null sender (a bounce's MAIL FROM:<>, "") from a
# session that sent no MAIL FROM at all (null), as the text output does.
mailtrail sessions --logs tests/data/smtp --format json --start 2016-08-27T23:59:00Z | grep -o '"session_id":"[^"]*"\|"mail_from":[^,]*' | paste - - | head -4
