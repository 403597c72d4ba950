# Unreadable input wins (README, exit codes): session exits 3 when a file of
# the log set cannot be read, whether the session was found elsewhere (it
# exited 0), found nowhere (it exited 1, before looking at what was
# unreadable), or compared with another -- as sessions and trace do.
# SYNTHETIC: tests/data/unreadable-gz/README.md.
mailtrail session 08D3CE0000000000 --logs tests/data/unreadable-gz > /dev/null; echo "found: exit $?"
mailtrail session 08D3CE00000000FF --logs tests/data/unreadable-gz; echo "not found: exit $?"
mailtrail session 08D3CE00000000FF --logs tests/data/unreadable-gz --logs tests/data/no-such-folder; echo "not found, missing folder: exit $?"
mailtrail session 08D3CE0000000000 --compare 08D3CE0000000001 --logs tests/data/unreadable-gz > /dev/null; echo "compare: exit $?"
mailtrail session 08D3CE0000000000 --compare 08D3CE00000000FF --logs tests/data/unreadable-gz; echo "compare with one not found: exit $?"
mailtrail sessions --logs tests/data/unreadable-gz > /dev/null; echo "sessions: exit $?"
mailtrail trace '<m1@x>' --logs tests/data/unreadable-gz --logs tests/data/no-such-folder; echo "trace: exit $?"
# with every file readable, the same sessions: 0 found, 1 not found
mailtrail session 08D3CE0000000000 --logs tests/data/unreadable-gz/SRV/SmtpSend/SEND20160827-1.LOG > /dev/null; echo "readable, found: exit $?"
mailtrail session 08D3CE00000000FF --logs tests/data/unreadable-gz/SRV/SmtpSend/SEND20160827-1.LOG; echo "readable, not found: exit $?"
