# The smart host hands the message back to EX1, which sent it: EX1 handles it
# twice, two hops of the path (EX1 -> smarthost -> EX1), not one hop of all
# five events; the second linked by the Postfix reply naming
# [InternalId=77, Hostname=EX1.mynet.lan], or without the Postfix log by its
# client. flows and pending agree. SYNTHETIC:
# tests/data/smarthost-return/README.md.
d=tests/data/smarthost-return/one-server
mailtrail trace --logs $d '<loop1@EX1.mynet.lan>'
mailtrail trace --logs $d '<loop1@EX1.mynet.lan>' --format dot
mailtrail trace --logs EX1=$d/EX1 '<loop1@EX1.mynet.lan>' | grep -E 'Path|Hop'
mailtrail flows --logs $d --format csv
mailtrail pending --logs $d; echo "pending exit $?"
