# "421 4.3.2 Service not active" (transport components set inactive) is its
# own class, unavailable, not back pressure (it was back-pressure, which sent
# an admin to the disks); backpressure counts the 452 4.3.1 session only.
# SYNTHETIC: tests/data/smtp-failures/README.md.
mailtrail sessions --logs tests/data/smtp-failures --class unavailable --format csv | cut -d, -f1,15-18; echo "exit $?"
mailtrail backpressure --logs tests/data/smtp-failures --format csv; echo "exit $?"
mailtrail session 08DC00000000A002 --logs tests/data/smtp-failures | head -n 6
