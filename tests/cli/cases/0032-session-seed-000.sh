mailtrail session 08D3AF1C2B3D4E5F --logs tests/data/smtp --logs tests/data/seed
