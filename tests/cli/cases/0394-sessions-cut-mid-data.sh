# Message 2 cut off after its 354 (-,,Remote, no final reply): the session
# is partial/dropped, not ok because message 1 was queued earlier.
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail sessions --logs tests/data/smtp-edges/cut-mid-data --format csv
