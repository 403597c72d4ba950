# report's failures are keyed by the whole status code: Exchange writes
# "550 4.4.7 QUEUE.Expired" (an enhanced class that disagrees with the basic
# code), which was counted as a bare "550" with any other 550 of that kind.
# SYNTHETIC: two FAIL lines under the seed's header.
D=$(mktemp -d); mkdir -p "$D/EX13-1"
F=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
{ head -n 5 "$F"
  echo '2016-08-27T22:00:00.000Z,,,,EX13-1,,,SMTP,FAIL,901,<exp1@x>,a@remote.example,550 4.4.7 QUEUE.Expired; message expired,1000,1,,,s,b@mynet.lan,b@mynet.lan,,Originating,,,,'
  echo '2016-08-27T22:00:01.000Z,,,,EX13-1,,,SMTP,FAIL,902,<exp2@x>,c@remote.example,550 5.7.1 Relay denied,1000,1,,,s,b@mynet.lan,b@mynet.lan,,Originating,,,,'
  echo '2016-08-27T22:00:02.000Z,,,,EX13-1,,,SMTP,FAIL,903,<exp3@x>,d@remote.example,550 No such user here,1000,1,,,s,b@mynet.lan,b@mynet.lan,,Originating,,,,'
} > "$D/EX13-1/MSGTRK20160827-1.LOG"
mailtrail report --logs "$D" --section failures --format csv | grep ',recipients,'
rm -rf "$D"
