# Text from the internet never reaches the terminal raw: an EHLO name, a MAIL
# FROM, a subject, a sender or a status holding ESC sequences (erase the line,
# move up, retitle the window), BEL, DEL, NUL, a tab, the C1 control CSI in
# UTF-8, or Latin-1 bytes is shown with each such character as U+FFFD by every
# output for people: session (summary, lines, --compare), sessions table and
# list, search table and list, trace, pending, report text, the sql table, and
# diagnostics. A valid emoji and a no-break space stay.
# SYNTHETIC: tests/data/hostile-text/README.md.
L=tests/data/hostile-text
mailtrail session 08D3CE0000000000 --logs $L; echo "exit $?"
mailtrail session 08D3CE0000000001 --logs $L | sed -n 1,4p
mailtrail session 08D3CE0000000001 --compare 08D3CE0000000000 --logs $L; echo "exit $?"
mailtrail sessions --logs $L --format table
mailtrail sessions --logs $L --format list | grep -aE '^(SessionId|MailFrom|RcptTo|FailureReply)'
mailtrail search --logs $L --format table
mailtrail search --logs $L --format list | grep -aE '^(MessageId|RecipientStatus|MessageSubject|Sender) '
mailtrail trace '<m3@x>' --logs $L; echo "exit $?"
mailtrail pending --logs $L; echo "exit $?"
mailtrail report --logs $L --section failures
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT message_id, sender, subject FROM tracking WHERE event_id = 'RECEIVE' ORDER BY timestamp" --format table
# a diagnostic quotes the line it is about
mkdir "$D/SRV"
printf '#Log-type: Message Tracking Log\r\n#Fields: date-time,event-id,message-id\r\n\033[2J\033[Hwiped,RECEIVE,<x@y>\r\n' > "$D/SRV/MSGTRK20160827-1.LOG"
mailtrail search --logs "$D/SRV" 2>&1 >/dev/null | sed "s|$D|DIR|"
rm -rf "$D"
# the whole output is UTF-8 with no control character but the printers' own
# newlines: no C0, no DEL, no C1
check='import sys; t = sys.stdin.buffer.read().decode("utf-8"); print(sum(1 for c in t if (c < " " and c != "\n") or "\x7f" <= c <= "\x9f"))'
for c in "session 08D3CE0000000000" "sessions --format list" "sessions --format table" "search --format list" \
         "search --format table" "trace <m3@x>" "pending" "report --section failures,senders"; do
    echo "$c: $(mailtrail $c --logs $L | python3 -c "$check") control characters"
done
