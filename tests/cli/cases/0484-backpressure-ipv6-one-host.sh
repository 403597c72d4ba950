# Five back-pressure sessions on SRV: four from one IPv6 host on four source
# ports, written [2001:db8::25]:4001, 2001:db8::25:4002, 2001:db8::25:4003
# (brackets dropped) and 2001:db8:0:0:0:0:0:25:4004 (nine groups), one from
# 2001:db8::26:4005. remote_hosts is 2: an unbracketed IPv6 endpoint that
# also reads as a whole address is counted by its port reading (Exchange
# logs a port on every endpoint), one host whatever its port or writing.
# Before, each source port counted as a host (5). --remote finds the same
# four sessions: both commands read endpoints with one parser.
# SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail backpressure --logs tests/data/smtp-classes/bp-ipv6-ports --format csv
mailtrail backpressure --logs tests/data/smtp-classes/bp-ipv6-ports --format json
mailtrail sessions --logs tests/data/smtp-classes/bp-ipv6-ports --remote 2001:db8::25 --format csv | cut -d, -f1,6
