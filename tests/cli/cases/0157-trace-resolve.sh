# RESOLVE: mail to a proxy address (j.doe@) resolved to the mailbox's primary
# address (john.doe@) and delivered there. The proxy address is done
# ("expanded": its new address follows), not pending forever. SYNTHETIC.
D=$(mktemp -d); mkdir -p "$D/EX13-1"
head -n 5 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/EX13-1/MSGTRK20160718-1.LOG"
cat >> "$D/EX13-1/MSGTRK20160718-1.LOG" <<'LOG'
2016-07-18T15:57:15.000Z,10.0.0.5,mail.example.com,10.0.0.11,EX13-1,08D3C95618340496;2016-07-18T15:57:14.000Z;0,EX13-1\Default EX13-1,SMTP,RECEIVE,1234,<resolve@example.com>,j.doe@mynet.lan;ann@mynet.lan,,5000,2,,,Hello,a@example.com,a@example.com,,Incoming,,,,
2016-07-18T15:57:15.100Z,,,,EX13-1,,,ROUTING,RESOLVE,1234,<resolve@example.com>,john.doe@mynet.lan,,5000,1,j.doe@mynet.lan,,Hello,a@example.com,a@example.com,,Incoming,,,,
2016-07-18T15:57:16.000Z,,EX13-1,10.0.0.11,EX13-1,,,STOREDRIVER,DELIVER,1234,<resolve@example.com>,john.doe@mynet.lan;ann@mynet.lan,250 2.1.5 OK;250 2.1.5 OK,5000,2,,,Hello,a@example.com,a@example.com,,Incoming,,,,
LOG
mailtrail trace --logs "EX13-1=$D/EX13-1" '<resolve@example.com>' | sed -n '/^Recipients:/,$p' | cut -c1-70
mailtrail pending --logs "EX13-1=$D/EX13-1"; echo "pending exit $?"
mailtrail flows --logs "EX13-1=$D/EX13-1" | head -n 3
rm -rf "$D"
