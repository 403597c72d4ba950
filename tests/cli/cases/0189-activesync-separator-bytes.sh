# User names and device ids decoded from the query can hold any byte: %1F
# merged two users' rows (it was the key's separator), %00 cut a user's row
# short and lost its device. The CSV shows that NUL, and the %1F, as U+FFFD,
# as every CSV of mailtrail does with control characters. SYNTHETIC: tests/data/activesync-keys/README.md.
D=$(mktemp -d)
mailtrail activesync --use-gmt --output-path "$D" tests/data/activesync-keys/u_ex160827.log; echo "exit $?"
cut -d, -f1-6 "$D/Users.csv" | od -c | sed 's/  */ /g'
rm -rf "$D"
