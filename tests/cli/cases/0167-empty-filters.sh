# An empty or blank filter value is a usage error in every command (exit 2).
# From the files '' matched events whose field is empty, from an index
# nothing (an empty field is stored as NULL): the two sources disagreed, and
# neither is what a blank pasted value means.
mailtrail search --logs tests/data/seed --message-id ''; echo "exit $?"
mailtrail search --logs tests/data/seed --subject ' '; echo "exit $?"
mailtrail Get-MessageTrackingLog -MessageId "" --logs tests/data/seed; echo "exit $?"
mailtrail trace '' --logs tests/data/seed; echo "exit $?"
mailtrail trace --sender '' --logs tests/data/seed; echo "exit $?"
mailtrail session '' --logs tests/data/smtp; echo "exit $?"
mailtrail sessions --connector '' --logs tests/data/smtp; echo "exit $?"
mailtrail tail --logs tests/data/seed --event-id '' --duration 0.1; echo "exit $?"
