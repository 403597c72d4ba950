# A .gz/.zst with the plain file's content (gzip -k: told by the size the
# .gz states, nothing decompressed past its head) or its start (the plain
# log has grown since) is still a copy, read once, by --logs and --db. A
# multi-member .gz (its last ISIZE is only its last member's) or a
# multi-frame .zst (its first frame's content size is not all of it) whose
# content goes on past the plain file's is no copy: the two are compared
# and the plain one, the shorter, is left out. A .gz whose head is the plain
# file's and whose lines then differ (past 4 KiB) is another log: both are
# read. Each folder is searched, and indexed, alone.
D=tests/data/partial-copy-gz
T=$(mktemp -d)
mkdir -p "$T/logs/G" "$T/logs/Z" "$T/logs/P" "$T/logs/M" "$T/logs/F" "$T/logs/O"
cp $D/whole.LOG "$T/logs/G/MSGTRK20160901-1.LOG"
gzip -n -c $D/whole.LOG >"$T/logs/G/MSGTRK20160901-1.LOG.gz"
cp $D/whole.LOG "$T/logs/Z/MSGTRK20160901-1.LOG"
zstd -q -c $D/whole.LOG >"$T/logs/Z/MSGTRK20160901-1.LOG.zst"
cp $D/whole.LOG "$T/logs/P/MSGTRK20160901-1.LOG"
head -c 4200 $D/whole.LOG | sed '$d' | gzip -n -c >"$T/logs/P/MSGTRK20160901-1.LOG.gz"
head -n 28 $D/partial.LOG >"$T/logs/M/MSGTRK20160901-1.LOG"
{ gzip -n -c $D/partial.LOG; tail -n 15 $D/whole.LOG | gzip -n -c; } >"$T/logs/M/MSGTRK20160901-1.LOG.gz"
head -n 29 $D/partial.LOG >"$T/logs/F/MSGTRK20160901-1.LOG"
{ zstd -q -c $D/partial.LOG; tail -n 15 $D/whole.LOG | zstd -q -c; } >"$T/logs/F/MSGTRK20160901-1.LOG.zst"
sed 's/,row 39,/,row 39 of another log,/' $D/whole.LOG >"$T/logs/O/MSGTRK20160901-1.LOG"
gzip -n -c $D/whole.LOG >"$T/logs/O/MSGTRK20160901-1.LOG.gz"
cd "$T"
for s in G Z P M F O; do
    f=$(mailtrail search --logs $s=logs/$s --count 2>&1); echo "$s, files: $f"
    mailtrail index --db $s.db --logs $s=logs/$s >/dev/null 2>&1
    echo "$s, db: $(mailtrail search --db $s.db --count)"
done
cd - >/dev/null
rm -rf "$T"
