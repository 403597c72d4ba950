# total_bytes is a JSON number when the log's text is a non-negative integer
# that fits in 64 bits, written as JSON writes one; anything else is the text
# as a string: "1e3" and "-0" are JSON numbers but no size, a value past
# 2^64 - 1 would not fit a script's unsigned 64-bit integer, "0042" has a
# leading zero. 18446744073709551615 itself is a number (20 digits: it was
# a string). The index gives the same. SYNTHETIC: tests/data/hostile-text/README.md.
L=tests/data/hostile-text
mailtrail search --logs $L --format json | grep -o '"message_id":"[^"]*"\|"total_bytes":[^,]*' | paste - -
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet --no-progress
mailtrail search --logs $L --format json > "$D/files"
mailtrail search --db "$D/i.db" --format json > "$D/index"
cmp "$D/files" "$D/index" && echo "files and index alike"
rm -rf "$D"
