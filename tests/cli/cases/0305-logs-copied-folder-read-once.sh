# A server's log folder copied twice under two names (EX13-1 and
# EX13-1-copy), and one of its files copied into another server's folder:
# a file with the same size and bytes as one before it in the log set's order
# (by server, then folder and name) is a copy and is read once, as the first,
# said once on stderr with an example and how many. Read twice, every count
# doubled. The fixture's 35 events: EX13-1 19, EX13-2 16.
D=tests/data/copied-logs
mailtrail search --logs $D --count; echo "all: exit $?"
mailtrail search --logs $D --count --server EX13-1 2>/dev/null; echo "EX13-1: exit $?"
mailtrail search --logs $D --count --server EX13-2 2>/dev/null; echo "EX13-2: exit $?"
mailtrail search --logs $D --count --server EX13-1-copy; echo "EX13-1-copy: exit $?"
# the copy alone is read: it is a copy of nothing in the set
mailtrail search --logs EX13-1-copy=$D/EX13-1-copy --count; echo "copy alone: exit $?"
# named files: the first in the order (by server name) is read, whichever is given first
for s in A B; do
    mailtrail search --logs B=$D/EX13-1/MessageTracking/MSGTRK20160828-1.LOG \
        --logs A=$D/EX13-1-copy/MessageTracking/MSGTRK20160828-1.LOG --count --server $s
    echo "named files, server $s: exit $?"
done
