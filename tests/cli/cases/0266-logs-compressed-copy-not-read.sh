# A .gz/.zst copy beside its plain file (gzip -k; logrotate's compress before
# it removes the plain file) is not read, from the files as from the index
# (docs/index.md): the plain file is. Once the plain file is gone, the copy
# is read. A compressed file that is another log is read; one that is a
# copy of a plain file read before it, in another folder, is not (the
# index's rule: the plain file is in the set already). U's plain file is
# T's, copied (the same size and bytes): read once, as T's; V's .gz is S's.
T=$(mktemp -d)
M=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
N=tests/data/seed/EX13-2/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG
mkdir -p "$T/logs/S" "$T/logs/T" "$T/logs/U" "$T/logs/V"
cp $M tests/data/compressed/EX13-1/MSGTRK20160827-1.LOG.gz "$T/logs/S/"
cp $N tests/data/compressed/EX13-2/MSGTRK20160827-1.LOG.zst "$T/logs/T/"
cp $N "$T/logs/U/"
gzip -n -c tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160829-1.LOG \
    >"$T/logs/U/MSGTRK20160827-1.LOG.gz"
cp tests/data/compressed/EX13-1/MSGTRK20160827-1.LOG.gz "$T/logs/V/"
mailtrail search --logs X=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160829-1.LOG --count
for f in $M $N; do mailtrail search --logs X=$f --count; done
cd "$T"
mailtrail index --db i.db --logs logs >/dev/null; echo "index: exit $?"
for s in S T U V; do
    mailtrail search --logs logs --server $s --count 2>/dev/null; echo "files, $s: exit $?"
    mailtrail search --db i.db --server $s --count; echo "db, $s: exit $?"
done
rm logs/S/MSGTRK20160827-1.LOG
mailtrail index --db i.db --logs logs >/dev/null; echo "index, plain file of S gone: exit $?"
mailtrail search --logs logs --server S --count; echo "files, S: exit $?"
mailtrail search --db i.db --server S --count; echo "db, S: exit $?"
cd - >/dev/null
rm -rf "$T"
