# --remote finds an IPv4 host however the log wrote it: 198.51.100.25 finds
# 198.51.100.25:4001 and its IPv4-mapped forms (802-804), and so does the
# mapped address typed (::ffff:198.51.100.25, ::ffff:c633:6419); a port
# typed either way must match the port. A CIDR over mapped addresses
# (::ffff:198.51.100.0/120) is the IPv4 range it maps; ::/0 takes in no
# IPv4 host, only 804's other reading (::ffff:c633:6419:4004 is also a
# whole IPv6 address, which a filter may match). Before, the IPv4 forms
# and the mapped forms never found each other.
# SYNTHETIC: tests/data/smtp-mapped/README.md.
for r in 198.51.100.25 ::ffff:198.51.100.25 ::ffff:c633:6419 '[::ffff:198.51.100.25]:4001' 198.51.100.25:4003 \
         198.51.100.25:4005 198.51.100.0/24 ::ffff:198.51.100.0/120 ::ffff:198.51.100.24/127 ::ffff:0:0/96 ::/0; do
    echo "--remote $r"
    mailtrail sessions --logs tests/data/smtp-mapped --remote "$r" --format csv | cut -d, -f1,6 | tail -n +2
done
