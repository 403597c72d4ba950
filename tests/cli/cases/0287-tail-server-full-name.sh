# tail reads --server as search does: a full host name means the server
# folder of its first label (EX13-1.corp.lan -> EX13-1), and a name no
# folder has is said once (not at every pass), with the servers there are.
D=$(mktemp -d)
mailtrail search --logs tests/data/seed --server EX13-1.corp.lan --count; echo "search exit $?"
mailtrail tail --logs tests/data/seed --server EX13-1.corp.lan --from-start --duration 0.1 --format csv > "$D/o"; echo "tail exit $?"
echo "$(($(wc -l < "$D/o") - 1)) events"
mailtrail tail --logs tests/data/seed --server nosuch,ex13-2.corp.lan --from-start --duration 0.5 --interval 0.1 --format csv > "$D/o"; echo "tail exit $?"
echo "$(($(wc -l < "$D/o") - 1)) events"
mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet --no-progress
mailtrail tail --db "$D/i.db" --logs tests/data/seed --server EX13-1.corp.lan --from-start --duration 0.1 --format csv > "$D/o"; echo "tail --db exit $?"
echo "$(($(wc -l < "$D/o") - 1)) events"
rm -rf "$D"
