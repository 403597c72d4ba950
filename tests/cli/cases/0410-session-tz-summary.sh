mailtrail session 08D3CA1E5B7C23A7 --logs tests/data/smtp --logs tests/data/seed --tz America/New_York
