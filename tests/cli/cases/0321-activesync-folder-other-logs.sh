# activesync over an Exchange server's folder: the tracking, protocol,
# connectivity and Postfix logs found by the walk (all *.log) are not its
# input and are left without a word, as --db of the same folder does -- it
# exited 3 with "not an IIS log" for each. A garbled *.log found by the walk
# still counts as unreadable (exit 3), and a tracking log named on the
# command line is still an error.
T=$(mktemp -d)
S=$T/logs/EX1
mkdir -p "$S/W3SVC1" "$S/MessageTracking" "$S/SmtpReceive" "$S/Connectivity" "$S/postfix" "$T/a" "$T/b" "$T/c" "$T/d"
cp tests/data/iis/known/EX1/u_ex240304.log "$S/W3SVC1/"
cp tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG "$S/MessageTracking/"
cp tests/data/smtp/EX13-1/TransportRoles/Logs/ProtocolLog/SmtpReceive/RECV20160827-1.LOG "$S/SmtpReceive/"
cp tests/data/smtp/NOHDR/SmtpReceive/RECV20240125-1.LOG "$S/SmtpReceive/"
gzip -n -c tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG > "$S/MessageTracking/MSGTRK20160826-1.LOG.gz"
cp tests/data/postfix/postfix.log "$S/postfix/"
printf '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: Transport Connectivity Log\r\n#Date: 2024-03-04T00:00:00.000Z\r\n#Fields: date-time,session,source,Destination,direction,description\r\n2024-03-04T00:00:01.000Z,08D1,SMTP,mail.example.com,+,\r\n' > "$S/Connectivity/CONNECTLOG20240304-1.LOG"
cd "$T"
mailtrail activesync --use-gmt --output-path a logs; echo "the folder: exit $?"
mailtrail index --db i.db --logs logs >/dev/null 2>&1; echo "index: exit $?"
mailtrail activesync --use-gmt --db i.db --output-path b; echo "db: exit $?"
diff -r a b && echo "folder and db: the same CSVs"
cut -d, -f1-6 a/Users.csv
printf '\001\002garbage\377 not a log\n' > logs/EX1/W3SVC1/u_ex240305.log
mailtrail activesync --use-gmt --output-path c logs; echo "with a garbled u_ex240305.log: exit $?"
diff -r a c && echo "the same CSVs"
mailtrail activesync --use-gmt --output-path d logs/EX1/MessageTracking/MSGTRK20160827-1.LOG logs/EX1/W3SVC1/u_ex240304.log; echo "a tracking log named: exit $?"
cd - >/dev/null
rm -rf "$T"
