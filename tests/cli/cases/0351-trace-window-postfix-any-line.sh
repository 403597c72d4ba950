# A message only Postfix logged is picked by a window holding any line of its
# queue entry, as a message is by any tracking event: PICK-0001's refusal at
# RCPT time (10:00:07) and PICK-0002's bounce notice (11:00:03) are alone in
# their windows. Only the first and last line, client=, the first qmgr line
# and the deliveries counted: both windows picked nothing (exit 1).
# The third window holds no line of either: nothing. Files and index alike.
# SYNTHETIC: tests/data/postfix-pick-window/README.md.
mailtrail trace --logs tests/data/postfix-pick-window --start 2016-09-20T10:00:05 --end 2016-09-20T10:00:10 --format dot
mailtrail trace --logs tests/data/postfix-pick-window --start 2016-09-20T11:00:02 --end 2016-09-20T11:00:03.500 --format dot
mailtrail trace --logs tests/data/postfix-pick-window --start 2016-09-20T10:00:08 --end 2016-09-20T10:00:15 --format dot
echo "exit $?"
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/postfix-pick-window --quiet
mailtrail trace --db "$D/i.db" --start 2016-09-20T10:00:05 --end 2016-09-20T10:00:10 --format dot
mailtrail trace --db "$D/i.db" --start 2016-09-20T11:00:02 --end 2016-09-20T11:00:03.500
rm -rf "$D"
