# A message only Postfix logged is picked by a window holding any kept line of
# its queue entry: RETRY-0001's cleanup message-id= line (09:00:04) and qmgr's
# retry, "(queue active)" again at 09:10:05, are alone in their windows. Only
# the first qmgr line counted and the message-id line not at all: both windows
# picked nothing (exit 1). The third window holds no line: nothing.
# Files and index alike. SYNTHETIC: tests/data/postfix-pick-retry/README.md.
mailtrail trace --logs tests/data/postfix-pick-retry --start 2016-09-21T09:00:02 --end 2016-09-21T09:00:04.500 --format dot
mailtrail trace --logs tests/data/postfix-pick-retry --start 2016-09-21T09:10:00 --end 2016-09-21T09:10:10 --format dot
mailtrail trace --logs tests/data/postfix-pick-retry --start 2016-09-21T09:20:00 --end 2016-09-21T09:30:00 --format dot
echo "exit $?"
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/postfix-pick-retry --quiet
mailtrail trace --db "$D/i.db" --start 2016-09-21T09:00:02 --end 2016-09-21T09:00:04.500 --format dot
mailtrail trace --db "$D/i.db" --start 2016-09-21T09:10:00 --end 2016-09-21T09:10:10
rm -rf "$D"
