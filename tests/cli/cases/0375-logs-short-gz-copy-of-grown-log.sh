# A .gz taken while its log was young -- under 4 KiB, the head by which
# copies are told apart -- beside the plain log that has grown past that
# since: the .gz holds the plain file's first lines, so it is a copy and is
# not read, by --logs and by --db (before, its events were counted twice).
# One whose lines then differ is another log: both read.
D=tests/data/partial-copy-gz
T=$(mktemp -d)
mkdir -p "$T/logs/S" "$T/logs/O"
cp $D/whole.LOG "$T/logs/S/MSGTRK20160901-1.LOG"
head -c 3000 $D/whole.LOG | sed '$d' | gzip -n -c >"$T/logs/S/MSGTRK20160901-1.LOG.gz"
cp $D/whole.LOG "$T/logs/O/MSGTRK20160901-1.LOG"
head -c 3000 $D/whole.LOG | sed '$d' | sed 's/,row 5,/,row 5 of another log,/' | gzip -n -c >"$T/logs/O/MSGTRK20160901-1.LOG.gz"
echo "plain alone: $(mailtrail search --logs X=$D/whole.LOG --count)"
cd "$T"
for s in S O; do
    f=$(mailtrail search --logs $s=logs/$s --count 2>&1); echo "$s, files: $f"
    mailtrail index --db $s.db --logs $s=logs/$s >/dev/null 2>&1
    echo "$s, db: $(mailtrail search --db $s.db --count)"
done
cd - >/dev/null
rm -rf "$T"
