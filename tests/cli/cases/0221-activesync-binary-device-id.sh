# A device id the base64 query gives as raw GUID bytes is written as hex (it
# went into Users.csv raw: invalid UTF-8, a line break inside the cell); a
# device id that is a string stays as it is.
# SYNTHETIC: tests/data/activesync-binary-id/README.md.
out=$(mktemp -d)
mailtrail activesync --use-gmt --output-path "$out" tests/data/activesync-binary-id; echo "exit $?"
cut -d, -f1-3,6 "$out/Users.csv"
rm -rf "$out"
