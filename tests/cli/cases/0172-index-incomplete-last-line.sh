# index: a plain log whose last line has no newline keeps that line for the
# next run (it may still be being written) and says so in the summary, run
# after run; once the file is compressed (complete by nature) the line is read.
D=$(mktemp -d); mkdir -p "$D/S"
head -n 8 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG | head -c -1 > "$D/S/MSGTRK20160718-1.LOG"
head -n 8 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/S/MSGTRK20160718-2.LOG"
for run in 1 2; do
    mailtrail index --db "$D/i.db" --logs "$D/S" | sed "s|$D|D|; s/in [0-9.]* s/in T s/"
done
mailtrail search --db "$D/i.db" --count; mailtrail search --logs "$D/S" --count
gzip "$D/S/MSGTRK20160718-1.LOG"
mailtrail index --db "$D/i.db" --logs "$D/S" | sed "s|$D|D|; s/in [0-9.]* s/in T s/"
mailtrail search --db "$D/i.db" --count; mailtrail search --logs "$D/S" --count
rm -rf "$D"
