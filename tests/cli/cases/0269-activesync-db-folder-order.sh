# activesync --db reads the indexed IIS logs in the order a folder walk reads
# them (the log set's: by server, series, time), not in whole-path order
# where "S-2/..." comes before "S/...": the same six CSVs either way. bob's
# two requests are of the same second: the later file (S-2's) decides.
T=$(mktemp -d)
D=tests/data/activesync-folders
mkdir "$T/files" "$T/db"
mailtrail activesync --use-gmt --output-path "$T/files" $D; echo "folder: exit $?"
mailtrail index --db "$T/i.db" --logs $D >/dev/null; echo "index: exit $?"
mailtrail activesync --use-gmt --db "$T/i.db" --output-path "$T/db"; echo "db: exit $?"
cut -d, -f1,2,26 "$T/files/Users.csv"
cat "$T/files/PolicyCompliance.csv"
diff -r "$T/files" "$T/db" && echo "the same CSVs"
rm -rf "$T"
