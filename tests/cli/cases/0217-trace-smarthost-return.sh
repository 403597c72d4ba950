# EX1 hands the message to the Postfix smart host ("queued as AAA111"),
# which hands it back to EX2 ([InternalId=77, Hostname=EX2.mynet.lan]): one
# path EX1 -> smarthost -> EX2 with the smart host's queue entry, EX2 linked
# by the reply Postfix logged (exact) or, without the Postfix log, by its
# client being the host EX1 sent to (inferred); delivered, with no next hop
# left over from the relay. flows gives the same path. SYNTHETIC:
# tests/data/smarthost-return/README.md.
d=tests/data/smarthost-return/two-servers
mailtrail trace --logs $d '<loop1@EX1.mynet.lan>'
mailtrail trace --logs $d '<loop1@EX1.mynet.lan>' --format json |
    grep -o '"link":{[^}]*}\|"postfix":{"host":"[^"]*","queue_id":"[^"]*"\|"outcome":"[^"]*","server":"[^"]*"\|"next_hop":"[^"]*","queue_id":"[^"]*"'
mailtrail trace --logs $d '<loop1@EX1.mynet.lan>' --format dot
mailtrail trace --logs EX1=$d/EX1 --logs EX2=$d/EX2 '<loop1@EX1.mynet.lan>' | grep -E 'Path|Hop|delivered'
mailtrail flows --logs $d --format csv
