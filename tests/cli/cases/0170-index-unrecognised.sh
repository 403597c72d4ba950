# index: a small file named like a tracking log whose first complete line is
# not a log row (or that holds binary data) is named and makes the exit 3, as
# search --logs does, every run; the others are still indexed. A first line
# still being written, or a header whose #Fields is still to come, is looked
# at again next run without a word.
D=$(mktemp -d); mkdir -p "$D/S"
head -n 8 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/S/MSGTRK20160718-1.LOG"
printf 'PK\003\004\000\001binary' > "$D/S/MSGTRK20160718-2.LOG"
printf 'just some notes\nnot a log\n' > "$D/S/MSGTRK20160718-3.LOG"
printf '2016-07-18T15:57:15.000Z,10.0.0.5,mail.exa' > "$D/S/MSGTRK20160718-4.LOG"
head -n 2 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/S/MSGTRK20160718-5.LOG"
for run in 1 2; do
    { mailtrail index --db "$D/i.db" --logs "$D/S" --quiet; echo "index exit $?"; } 2>&1 | sed "s|$D|D|"
done
mailtrail search --logs "$D/S" --count 2>&1 | sed "s|$D|D|"
mailtrail sql --db "$D/i.db" --format csv "SELECT substr(path, instr(path, 'MSGTRK')), kind FROM files ORDER BY path"
rm -rf "$D"
