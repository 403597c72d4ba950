# Remote endpoints: [2001:db8::1]:25 (501), the same without brackets
# 2001:db8::1:25 (502: also a whole address, so both readings count),
# 2001:db8:0:0:0:0:0:1:25 (503: nine groups, only a port reading),
# IPv4 198.51.100.25:25 (504), 2001:db8::1:1:25 (505).
# SYNTHETIC: tests/data/smtp-classes/README.md.
for r in 2001:db8::1 '[2001:db8::1]:25' 2001:db8::1:25 '[2001:db8::1]:2525' 2001:db8::1:1 \
         '[2001:db8::1:25]:25' 2001:db8::/64 198.51.100.25:25 198.51.100.25 198.51.100.25:26; do
    echo "--remote $r"
    mailtrail sessions --logs tests/data/smtp-classes/ipv6-no-brackets --remote "$r" --format csv | cut -d, -f1,6 | tail -n +2
done
