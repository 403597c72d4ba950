# Replies of other MTAs than Postfix hand the message over as "queued as"
# does, and a return from their address is recognised: Exim "250 OK
# id=..." (back to EX1 itself from 10.0.0.30 under another name: a second
# EX1 hop), qmail "250 ok N qp N" to 10.0.0.31 (back to EX2), Exchange
# Online "[InternalId=N, Hostname=H] Queued mail for delivery" with H none
# of our servers (back to EX2 from its address); their ids are no queue
# ids (no Postfix log follows them: inferred). A sendmail "Message accepted
# for delivery" to 10.0.0.32 whose RECEIVE on EX2 came from 10.0.0.99 is
# not back: EX2 stays an origin. SYNTHETIC:
# tests/data/smarthost-return/README.md.
d=tests/data/smarthost-return/other-mtas
for m in 5 6 7 8; do
    mailtrail trace --logs $d "<loop$m@EX1.mynet.lan>" | grep -E 'Path|Hop|delivered|relayed'
done
mailtrail trace --logs $d '<loop5@EX1.mynet.lan>' --format dot
