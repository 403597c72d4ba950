# A server refusing a connection at its connection limit ("421 4.3.2 The
# maximum number of concurrent connections has exceeded a limit", "421 Too
# many concurrent SMTP connections", "421 4.7.0 ... too many connections")
# holds us back as throttling does: back-pressure. "421 4.3.2 Service not
# available/active" stays unavailable. SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail sessions --logs tests/data/smtp-classes/conn-limit --format csv | cut -d, -f1,3,15-17
mailtrail sessions --logs tests/data/smtp-classes/conn-limit --class back-pressure --format csv | cut -d, -f1
