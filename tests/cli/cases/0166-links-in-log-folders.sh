# Links inside a log folder: one to a file is read; one to nothing (the log
# it pointed to was moved) is reported and counts as unreadable input (exit
# 3); one to a folder is not followed (no loops), and says so. They were all
# skipped without a word, and the exit was 0. tail says each once, not at
# every look.
D=$(mktemp -d); mkdir -p "$D/logs/EX13-1" "$D/elsewhere"
cp tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG "$D/elsewhere/"
ln -s "$D/elsewhere/MSGTRK20160827-1.LOG" "$D/logs/EX13-1/MSGTRK20160827-1.LOG"
ln -s "$D/gone/MSGTRK20160828-1.LOG" "$D/logs/EX13-1/MSGTRK20160828-1.LOG"
ln -s "$D/elsewhere" "$D/logs/EX13-1/more"
mailtrail search --logs "$D/logs" --count 2>&1 | sed "s|$D|D|g"
mailtrail search --logs "$D/logs" --count > /dev/null 2>&1; echo "exit $?"
# tail builds its log set every interval: the broken link is said once
mailtrail tail --logs "$D/logs" --interval 0.1 --duration 0.5 2>&1 | sed "s|$D|D|g"
rm -rf "$D"
