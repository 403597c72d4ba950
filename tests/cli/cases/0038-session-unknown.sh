mailtrail session 0000000000000000 --logs tests/data/smtp
