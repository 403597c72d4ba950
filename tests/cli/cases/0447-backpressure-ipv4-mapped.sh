# Five back-pressure sessions on SRV from two IPv4 hosts, logged by a
# dual-stack listener: 198.51.100.25 written 198.51.100.25:4001,
# [::ffff:198.51.100.25]:4002, ::ffff:198.51.100.25:4003 (no brackets) and
# ::ffff:c633:6419:4004 (hex, no brackets), and [::ffff:198.51.100.26]:4005.
# An IPv4-mapped address is the IPv4 host it maps: remote_hosts is 2 (it
# was 3: the mapped forms counted apart from 198.51.100.25).
# SYNTHETIC: tests/data/smtp-mapped/README.md.
mailtrail backpressure --logs tests/data/smtp-mapped --format csv
mailtrail backpressure --logs tests/data/smtp-mapped --format json
# the same from the index, and sessions --remote from it
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/smtp-mapped --quiet --no-progress
mailtrail backpressure --db "$D/i.db" --format csv
mailtrail sessions --db "$D/i.db" --remote 198.51.100.25 --format csv | cut -d, -f1,6
rm -rf "$D"
