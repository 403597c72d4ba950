# REDIRECT: mail to a mailbox that forwards everything (ForwardingAddress,
# not kept in the mailbox) is redirected by the categorizer to the alternate
# recipient and delivered there. As for EXPAND and RESOLVE, the address acted
# on is in related-recipient-address: that one is 'redirected', not left
# unknown (trace) and in transit forever (pending); the alternate recipient
# is delivered. SYNTHETIC.
D=$(mktemp -d); mkdir -p "$D/EX13-1"
head -n 5 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/EX13-1/MSGTRK20160718-1.LOG"
cat >> "$D/EX13-1/MSGTRK20160718-1.LOG" <<'LOG'
2016-07-18T15:57:15.000Z,10.0.0.5,mail.example.com,10.0.0.11,EX13-1,08D3C95618340496;2016-07-18T15:57:14.000Z;0,EX13-1\Default EX13-1,SMTP,RECEIVE,1234,<redirect@example.com>,leaver@mynet.lan;ann@mynet.lan,,5000,2,,,Hello,a@example.com,a@example.com,,Incoming,,,,
2016-07-18T15:57:15.100Z,,,,EX13-1,,,ROUTING,REDIRECT,1234,<redirect@example.com>,manager@mynet.lan,,5000,1,leaver@mynet.lan,,Hello,a@example.com,a@example.com,,Incoming,,,,
2016-07-18T15:57:16.000Z,,EX13-1,10.0.0.11,EX13-1,,,STOREDRIVER,DELIVER,1234,<redirect@example.com>,manager@mynet.lan;ann@mynet.lan,250 2.1.5 OK;250 2.1.5 OK,5000,2,,,Hello,a@example.com,a@example.com,,Incoming,,,,
LOG
mailtrail trace --logs "EX13-1=$D/EX13-1" '<redirect@example.com>' | sed -n '/^Recipients:/,$p' | cut -c1-70
mailtrail trace --logs "EX13-1=$D/EX13-1" '<redirect@example.com>' --format json | python3 -c 'import json,sys; [print(r["address"], r["outcome"]) for r in json.load(sys.stdin)["recipients"]]'
mailtrail pending --logs "EX13-1=$D/EX13-1"; echo "pending exit $?"
mailtrail flows --logs "EX13-1=$D/EX13-1" | head -n 3
rm -rf "$D"
