# activesync over folders reads each log once, as the index does: a
# u_ex*.log.gz copy beside its u_ex*.log (gzip -k) is not read, nor is a
# folder named twice read twice; --db gives the same six CSVs.
T=$(mktemp -d)
mkdir -p "$T/logs/EX1" "$T/one" "$T/a" "$T/b" "$T/c"
cp tests/data/iis/known/EX1/u_ex240304.log "$T/logs/EX1/"
gzip -n -k "$T/logs/EX1/u_ex240304.log"
cd "$T"
mailtrail activesync --use-gmt --output-path one logs/EX1/u_ex240304.log; echo "the plain file alone: exit $?"
mailtrail activesync --use-gmt --output-path a logs; echo "the folder: exit $?"
mailtrail activesync --use-gmt --output-path b logs logs; echo "the folder twice: exit $?"
mailtrail index --db i.db --logs logs >/dev/null; echo "index: exit $?"
mailtrail activesync --use-gmt --db i.db --output-path c; echo "db: exit $?"
cut -d, -f1-6 one/Users.csv
for d in a b c; do diff -r one $d && echo "$d: the same CSVs"; done
cd - >/dev/null
rm -rf "$T"
