# An index whose protocol-log lines are damaged (smtp_lines' root page
# overwritten): sessions, backpressure and session say so once, with the
# advice to rebuild, and exit 3. They exited 3 with no word on the index
# (sessions counted 5 unreadable files; backpressure said nothing at all).
. tests/cli/damage-index.sh
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/smtp --quiet 2>/dev/null
damage_index "$D/i.db" smtp_lines
{ mailtrail sessions --db "$D/i.db"; echo "sessions exit $?"; } 2>&1 | sed "s|$D|DIR|g"
{ mailtrail backpressure --db "$D/i.db"; echo "backpressure exit $?"; } 2>&1 | sed "s|$D|DIR|g"
{ mailtrail session --db "$D/i.db" 08D3CA1E5B7C23A0; echo "session exit $?"; } 2>&1 | sed "s|$D|DIR|g"
rm -rf "$D"
