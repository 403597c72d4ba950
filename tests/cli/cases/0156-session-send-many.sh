# A send session that carried 200 messages (one connection reused): its
# tracking events are found in one search of the logs, printed message by
# message in the session's order (the 7th message twice: sent twice) -- the
# same as the index answers, one lookup a message. SYNTHETIC data.
D=$(mktemp -d); P="$D/EX13-1/TransportRoles/Logs"; mkdir -p "$P/ProtocolLog/SmtpSend" "$P/MessageTracking"
awk 'BEGIN {
    print "#Software: Microsoft Exchange Server"; print "#Version: 15.01.2507.006"; print "#Log-type: SMTP Send Protocol Log"
    print "#Date: 2024-03-04T08:00:00.000Z"; print "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"
    s = 0; e = "2024-03-04T08:00:00.000Z,Outbound,08DC0000000000B1,"; ep = ",10.0.0.1:1024,10.8.8.8:25,"
    print e s++ ep "*,,attempting to connect"; print e s++ ep "+,,"; print e s++ ep "<,220 relay,"
    for (i = 0; i < 200; i++) {
        id = 5000 + (i == 150 ? 6 : i)
        print e s++ ep "*," id ",sending message"
        print e s++ ep ">,MAIL FROM:<a" i "@corp.test>,"; print e s++ ep "<,250 2.0.0 Ok: queued as Q" i ","
    }
    print e s++ ep "-,,Local"
}' > "$P/ProtocolLog/SmtpSend/SEND20240304-1.LOG"
awk 'BEGIN {
    print "#Software: Microsoft Exchange Server"; print "#Version: 15.01.2507.006"; print "#Log-type: Message Tracking Log"
    print "#Date: 2024-03-04T08:00:00.000Z"
    print "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info"
    for (i = 199; i >= 0; i--) {     # written newest first: the output is in time order anyway
        printf "2024-03-04T08:%02d:%02d.000Z,,,,relay.ext.test,;250 2.0.0 Ok: queued as Q%d,Outbound,SMTP,SEND,%d,<m%d@corp.test>,x%d@ext.test,,,1,,,,a%d@corp.test,,\n", int(i / 60), i % 60, i, 5000 + i, i, i, i
        printf "2024-03-04T07:%02d:%02d.000Z,,,,EX13-1,,,STOREDRIVER,RECEIVE,%d,<m%d@corp.test>,x%d@ext.test,,,1,,,,a%d@corp.test,,\n", int(i / 60), i % 60, 5000 + i, i, i, i
    }
}' > "$P/MessageTracking/MSGTRK20240304-1.LOG"
mailtrail session 08DC0000000000B1 --logs "EX13-1=$D/EX13-1" > "$D/files"; echo "exit $?"
grep -c 'SEND ' "$D/files"; grep -c 'RECEIVE ' "$D/files"
grep -A 3 'Tracking events' "$D/files" | cut -c1-60
mailtrail index --db "$D/i.db" --logs "EX13-1=$D/EX13-1" --quiet
mailtrail session 08DC0000000000B1 --db "$D/i.db" > "$D/index"
cmp "$D/files" "$D/index" && echo "files and index alike"
rm -rf "$D"
