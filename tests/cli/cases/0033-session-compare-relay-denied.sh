mailtrail session 08D3AF1C2B3D4E72 --compare 08D3AF1C2B3D4E71 --logs tests/data/smtp
