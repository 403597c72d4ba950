# A plain log that is a partial copy (its first 25 rows, copied while the
# log was written) beside the whole log compressed (40 rows) is left out,
# not the .gz: the .gz holds every event of the two once. It was left out
# as "a compressed copy" (only the first 4 KiB were compared) and 15 events
# were lost, by --logs and --db alike. The same with a .zst, and when the
# plain file was indexed alone before the .gz came (the .gz continues its
# row: renamed, 15 events added). Z's plain file is cut shorter (22 rows).
D=tests/data/partial-copy-gz
T=$(mktemp -d)
mkdir -p "$T/logs/S" "$T/logs/Z" "$T/later/S"
cp $D/partial.LOG "$T/logs/S/MSGTRK20160901-1.LOG"
gzip -n -c $D/whole.LOG >"$T/logs/S/MSGTRK20160901-1.LOG.gz"
head -n 27 $D/partial.LOG >"$T/logs/Z/MSGTRK20160901-1.LOG"
zstd -q -c $D/whole.LOG >"$T/logs/Z/MSGTRK20160901-1.LOG.zst"
cp $D/partial.LOG "$T/later/S/MSGTRK20160901-1.LOG"
cd "$T"
for s in S Z; do
    mailtrail search --logs logs --server $s --count; echo "files, $s: exit $?"
done
mailtrail index --db i.db --logs logs | sed 's/ in [0-9.]* s$//'; echo "index: exit $?"
for s in S Z; do
    mailtrail search --db i.db --server $s --count; echo "db, $s: exit $?"
done
mailtrail index --db j.db --logs later | sed 's/ in [0-9.]* s$//'
cp logs/S/MSGTRK20160901-1.LOG.gz later/S/
mailtrail index --db j.db --logs later | sed 's/ in [0-9.]* s$//'; echo "index, .gz added: exit $?"
mailtrail search --db j.db --count; echo "db: exit $?"
mailtrail search --logs later --count; echo "files: exit $?"
mailtrail index --db j.db --logs later | sed 's/ in [0-9.]* s$//'; echo "index again: exit $?"
mailtrail search --db j.db --count
cd - >/dev/null
rm -rf "$T"
