# The sessions table prints a remote endpoint whole: one longer than its
# column (an IPv6 address written out, with its port) pushes the rest of its
# row right. It was cut to "2001:db8:0:0:0:0:0...", which names no host.
# SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail sessions --logs tests/data/smtp-classes/ipv6-no-brackets --format table
mailtrail sessions --logs tests/data/smtp-classes/bp-ipv6-ports --format table
