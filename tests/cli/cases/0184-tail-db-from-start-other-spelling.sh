# tail --db --from-start finds the followed files in an index that names them
# in another spelling (made with an absolute path, followed with a relative
# one): the same events as tail alone (it printed nothing from the index).
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs "EX13-1=$PWD/tests/data/seed/EX13-1" --quiet --no-progress
mailtrail tail --db "$D/i.db" --logs EX13-1=tests/data/seed/EX13-1 --from-start --duration 0.3 --format csv > "$D/out"; echo "tail --db --from-start: exit $?, $(($(wc -l < "$D/out") - 1)) events"
mailtrail tail --logs EX13-1=tests/data/seed/EX13-1 --from-start --duration 0.3 --format csv > "$D/plain"; echo "tail --from-start: exit $?, $(($(wc -l < "$D/plain") - 1)) events"
# the file column names each as the index or the pass read it: compared without it
cut -d, -f1-30 "$D/out" > "$D/a"; cut -d, -f1-30 "$D/plain" > "$D/b"
cmp -s "$D/a" "$D/b" && echo "the same events" || echo "DIFFERENT events"
rm -rf "$D"
# ... and under the server name tail is given (the index has EX13-1): --server X finds them
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet --no-progress
echo "as X: $(mailtrail tail --db "$D/i.db" --logs X=tests/data/seed/EX13-1 --from-start --server X --duration 0.3 --format json | grep -c '"server":"X"') events"
rm -rf "$D"
