mailtrail session 08DC39A000000101 --logs tests/data/exo-541
