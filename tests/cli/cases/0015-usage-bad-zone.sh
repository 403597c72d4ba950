mailtrail search --logs tests/data/seed --tz Mars/Olympus_Mons
