# sc-status / sc-substatus values that are no status code (-1, 99999999999,
# abc) were blanked in StatusCodes.csv and merged with a logged '-': now each
# is reported (file and line) and kept as logged, in rows of its own after
# the numeric ones. A cell starting with '-' gets Excel's guard (') as every
# cell does. --db gives the same CSVs and the same diagnostics; the rows
# merge across worker threads (the file read twice, by 1 and 2 threads: as
# a second file with a remark added, as the same file named twice, or a
# copy of it, is read once).
# SYNTHETIC: tests/data/activesync-status-text/README.md.
T=$(mktemp -d)
mkdir -p "$T/a" "$T/b" "$T/t1" "$T/t2"
mailtrail activesync --use-gmt --output-path "$T/a" tests/data/activesync-status-text; echo "exit $?"
cat "$T/a/StatusCodes.csv"
mailtrail index --db "$T/i.db" --logs tests/data/activesync-status-text >/dev/null 2>&1; echo "index: exit $?"
mailtrail activesync --use-gmt --db "$T/i.db" --output-path "$T/b"; echo "db: exit $?"
diff -r "$T/a" "$T/b" && echo "folder and db: the same CSVs"
f=tests/data/activesync-status-text/u_ex240310.log
{ cat $f; echo "#Remark: the same requests again"; } >"$T/again.log"
mailtrail activesync --use-gmt --threads 1 --output-path "$T/t1" $f "$T/again.log" 2>/dev/null; echo "twice, 1 thread: exit $?"
mailtrail activesync --use-gmt --threads 2 --output-path "$T/t2" $f "$T/again.log" 2>/dev/null; echo "twice, 2 threads: exit $?"
diff -r "$T/t1" "$T/t2" && echo "1 and 2 threads: the same CSVs"
cat "$T/t2/StatusCodes.csv"
rm -rf "$T"
