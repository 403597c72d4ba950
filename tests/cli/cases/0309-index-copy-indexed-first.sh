# A copied folder indexed first, its original given with it later: the log
# set reads the original (the first in its order) and leaves the copy out,
# so the index's rows of the copy go with the original's files (renamed: the
# same size and bytes, the copy still there but not read), and the events
# are held once, under the original's server name, as --logs answers.
T=$(mktemp -d)
L=tests/data/copied-logs
mailtrail index --db "$T/i.db" --logs EX13-1-copy=$L/EX13-1-copy --logs EX13-2=$L/EX13-2/MessageTracking \
    --quiet; echo "copy first: exit $?"
mailtrail search --db "$T/i.db" --count --server EX13-1-copy; echo "copy first, EX13-1-copy: exit $?"
mailtrail index --db "$T/i.db" --logs EX13-1=$L/EX13-1 --logs EX13-1-copy=$L/EX13-1-copy \
    --logs EX13-2=$L/EX13-2/MessageTracking 2>&1 | sed "s|^$T/||; s|$L/||g; s/in [0-9.]* s$/in S s/"
echo "both: exit $?"
mailtrail sql --db "$T/i.db" --format csv "SELECT server, count(*) AS files, sum(size) AS bytes FROM files GROUP BY server ORDER BY server"
for q in "search --count" "search --count --server EX13-1" "trace --all --format json" "flows" "report --format json"; do
    mailtrail $q --logs EX13-1=$L/EX13-1 --logs EX13-1-copy=$L/EX13-1-copy --logs EX13-2=$L/EX13-2/MessageTracking \
        >"$T/files" 2>/dev/null; a=$?
    mailtrail $q --db "$T/i.db" >"$T/db" 2>/dev/null; b=$?
    if cmp -s "$T/files" "$T/db" && [ $a = $b ]; then echo "$q: the same ($(wc -c <"$T/db") bytes, exit $a)"
    else echo "$q: --db differs from --logs (exit $a/$b)"; diff "$T/files" "$T/db" | head -n 10; fi
done
# the copy alone again: the rows go back with it (still once)
mailtrail index --db "$T/i.db" --logs EX13-1-copy=$L/EX13-1-copy --quiet; echo "copy alone: exit $?"
mailtrail search --db "$T/i.db" --count; echo "all: exit $?"
# the same with a gzip file copied (compared as it is on disk)
mkdir "$T/A" "$T/B"
gzip -n -c $L/EX13-1/MessageTracking/MSGTRK20160828-1.LOG >"$T/A/MSGTRK20160828-1.LOG.gz"
cp "$T/A/MSGTRK20160828-1.LOG.gz" "$T/B/"
mailtrail index --db "$T/g.db" --logs B="$T/B" --quiet; echo "gzip copy first: exit $?"
mailtrail index --db "$T/g.db" --logs A="$T/A" --logs B="$T/B" --quiet 2>/dev/null; echo "gzip, both: exit $?"
mailtrail search --db "$T/g.db" --count; echo "gzip, --db: exit $?"
mailtrail search --logs A="$T/A" --logs B="$T/B" --count 2>/dev/null; echo "gzip, --logs: exit $?"
rm -rf "$T"
