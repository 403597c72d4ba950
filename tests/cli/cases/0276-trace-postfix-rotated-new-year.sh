# The same maillog rotated at midnight: maillog.1 holds ny1's arrival on
# Dec 31, maillog its delivery on Jan 1. The files are read in the order
# their lines began (not by name), so ny1's queue entry is one, with its
# delivery; a single message, --sender and --all agree, from the files and
# from an index.
L="--logs tests/data/postfix-newyear/EX1 --logs tests/data/postfix-newyear/rotated"
mailtrail trace $L '<ny1@EX1.corp.lan>'; echo "exit $?"
mailtrail trace $L --sender u@corp.lan | grep -E '^Message|Seen|status='; echo "exit $?"
D=$(mktemp -d); mailtrail index --db "$D/i.db" $L --quiet; echo "index exit $?"
mailtrail trace --db "$D/i.db" '<ny1@EX1.corp.lan>' | grep -E '^Message|Seen|status='; echo "exit $?"
mailtrail trace --db "$D/i.db" --all | grep -E '^Message|Seen|status='; echo "exit $?"
rm -rf "$D"
