# A Postfix entry qmgr expired ("status=expired, returned to sender") holds no
# one any more: with the whole log nothing is pending; cut before the expiry
# (Sep 26) the deferred recipients wait on their instance (postfix-out named
# after the host). --start/--end pick the entries with a line in the window,
# judged at the end of the log.
# SYNTHETIC: tests/data/postfix-expired-beyond/README.md.
E=tests/data/postfix-expired-beyond
mailtrail pending --logs EX13-2=$E/EX13-2 --logs smarthost=$E/smarthost; echo "whole log exit $?"
D=$(mktemp -d); mkdir "$D/smarthost"
grep -v '^Sep 26' $E/smarthost/maillog > "$D/smarthost/maillog"
L="--logs EX13-2=$E/EX13-2 --logs smarthost=$D/smarthost"
mailtrail pending $L --format csv; echo "cut exit $?"
mailtrail pending $L --start 2016-09-21T10:15:00Z --end 2016-09-21T11:00:00Z; echo "window exit $?"
mailtrail pending $L --start 2016-09-21T11:00:00Z; echo "empty window exit $?"
rm -rf "$D"
