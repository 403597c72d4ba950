# pending reads the smart host's log while it reads the tracking logs; what
# it prints stays in the same order: the tracking part's rows and
# diagnostics first, then the Postfix part's (its bad lines named by file
# and line, the rest of the log still read), run after run, and from an
# index (read on one thread there). SYNTHETIC: tests/data/postfix-pending,
# with one bad line appended to each log.
D=$(mktemp -d)
cp -r tests/data/postfix-pending/EX13-1 tests/data/postfix-pending/smarthost "$D/"
printf 'Sep 31 08:59:59 smarthost postfix/qmgr[1001]: 7C1A2B3D4E5: removed\nthis is not a log line\n' >> "$D/smarthost/maillog"
printf '2016-09-22T08:59:00.000Z,broken line\n' >> "$D/EX13-1/MSGTRK20160922-1.LOG"
L="--logs EX13-1=$D/EX13-1 --logs smarthost=$D/smarthost"
mailtrail pending $L --format csv 2>&1 | sed "s|$D|D|g"; echo "exit $?"
mailtrail pending $L --format csv > "$D/first" 2>&1
for i in 1 2 3 4 5 6 7 8; do
    mailtrail pending $L --format csv > "$D/again" 2>&1
    cmp -s "$D/first" "$D/again" || echo "run $i differs"
done
mailtrail index --db "$D/i.db" $L --quiet 2>/dev/null
mailtrail pending --db "$D/i.db" --format csv 2>&1 | sed "s|$D|D|g"
rm -rf "$D"
