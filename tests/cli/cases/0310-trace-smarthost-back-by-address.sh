# EX1 hands the message to the smart host by its address (server-hostname
# and server-ip 10.0.0.25, "queued as BBB222"); it comes back to EX2 from
# client-ip ::ffff:10.0.0.25 under its HELO name relay01.mynet.lan. Without
# the Postfix log the return is told by the address: EX1 -> 10.0.0.25 ->
# EX2, EX2 linked by message-id (inferred); was EX1 -> EX2 with the
# recipient relayed. flows gives the same path. SYNTHETIC:
# tests/data/smarthost-return/README.md.
d=tests/data/smarthost-return/by-address
mailtrail trace --logs $d '<loop4@EX1.mynet.lan>'
mailtrail trace --logs $d '<loop4@EX1.mynet.lan>' --format json | grep -o '"link":{[^}]*}'
mailtrail flows --logs $d --format csv
