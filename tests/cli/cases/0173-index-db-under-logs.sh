# index: a database kept under a --logs folder is not read as a log itself
# (nor its -wal and -shm files), on the first run or later ones.
D=$(mktemp -d); mkdir -p "$D/S"
head -n 8 tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160718-1.LOG > "$D/S/MSGTRK20160718-1.LOG"
for run in 1 2; do
    mailtrail index --db "$D/S/x.db" --logs "$D" --quiet; echo "index exit $?"
done
mailtrail sql --db "$D/S/x.db" --format csv "SELECT substr(path, length('$D') + 2) AS path, kind FROM files ORDER BY path"
rm -rf "$D"
