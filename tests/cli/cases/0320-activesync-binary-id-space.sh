# A device id with a space in the base64 query ("My Phone") is text, as
# docs/activesync.md says (only an id with a byte that is not printable ASCII
# becomes hex): it was written as 4D792050686F6E65, and the same device sent
# as DeviceId=My%20Phone made a second Users row.
# SYNTHETIC: tests/data/activesync-space-id/README.md.
out=$(mktemp -d)
mailtrail activesync --use-gmt --output-path "$out" tests/data/activesync-space-id; echo "exit $?"
cut -d, -f1-6 "$out/Users.csv"
rm -rf "$out"
