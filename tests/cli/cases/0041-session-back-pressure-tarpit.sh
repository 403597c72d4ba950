mailtrail session 08D3CA1E5B7C23A3 --logs tests/data/smtp
