# Back from the smart host through a content filter (a second Postfix
# instance, queue DDD444), to EX1 under another host name than the one EX1
# sent to: only the Postfix log says it came back, and the hop that handed
# it back is listed before EX1's second handling; EX1's first handling
# keeps u3's delivery logged after the return; the delivery back to EX1 is
# no relay hop, ext@partner.example's is. Without the Postfix log (and in
# flows, which reads none) the return is not recognised. SYNTHETIC:
# tests/data/smarthost-return/README.md.
d=tests/data/smarthost-return/filter
mailtrail trace --logs $d '<loop3@EX1.mynet.lan>'
mailtrail trace --logs $d '<loop3@EX1.mynet.lan>' --format json | grep -o '"link":{[^}]*}\|"server":"[^"]*","events"'
mailtrail trace --logs $d '<loop3@EX1.mynet.lan>' --format dot | grep -- '->'
mailtrail trace --logs EX1=$d/EX1 '<loop3@EX1.mynet.lan>' | grep -E 'Path|Hop'
mailtrail flows --logs $d --format csv
