# Only a file with the same size and the same bytes is a copy. Read as files
# of their own: a copy shorter than its file (taken while the file was still
# being written: the index reads it so too), a file of the same size whose
# bytes differ past the 4 KiB head, and empty files. A gzip file copied twice
# is one file; a gzip copy beside a copy is a copy too.
T=$(mktemp -d)
cp tests/data/copied-logs/EX13-1/MessageTracking/MSGTRK20160828-1.LOG "$T/m"   # 12 rows, 4731 bytes
cd "$T"
mkdir -p a/S a/T b/S b/T c/S c/T d/S d/T e/S e/T
cp m a/S/MSGTRK20160828-1.LOG
head -n 10 m >a/T/MSGTRK20160828-1.LOG    # the copy taken earlier: its first 5 rows
mailtrail search --logs a --count; echo "shorter copy: exit $?"
cp m b/S/MSGTRK20160828-1.LOG
{ head -c 4695 m; printf 7; tail -c +4697 m; } >b/T/MSGTRK20160828-1.LOG   # 2016 -> 2017 in the last row
cmp -s b/S/MSGTRK20160828-1.LOG b/T/MSGTRK20160828-1.LOG || echo "the bytes differ"
wc -c <b/S/MSGTRK20160828-1.LOG; wc -c <b/T/MSGTRK20160828-1.LOG
mailtrail search --logs b --count; echo "same size, other bytes: exit $?"
: >c/S/MSGTRK20160828-1.LOG; : >c/T/MSGTRK20160828-1.LOG
mailtrail search --logs c --count; echo "empty files: exit $?"
gzip -n -c m >d/S/MSGTRK20160828-1.LOG.gz; cp d/S/MSGTRK20160828-1.LOG.gz d/T/
mailtrail search --logs d --count; echo "gzip copied: exit $?"
cp m e/S/MSGTRK20160828-1.LOG; cp m e/T/MSGTRK20160828-1.LOG; gzip -n -c m >e/T/MSGTRK20160828-1.LOG.gz
mailtrail search --logs e --count; echo "copy and its gzip: exit $?"
cd - >/dev/null
rm -rf "$T"
