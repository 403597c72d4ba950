# sql --format table cut a text value at a NUL (C strings): <m2@x>'s subject
# showed as "nul". The whole value now, the NUL as U+FFFD as every table
# shows it (the other controls too); CSV and JSON had it whole already. The
# report from the index shows the whole subject too. SYNTHETIC:
# tests/data/hostile-text/README.md, tests/data/report-nul/README.md.
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/hostile-text --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT message_id, subject, NULL AS none FROM tracking WHERE event_id = 'RECEIVE' ORDER BY timestamp" --format table
mailtrail index --db "$D/n.db" --logs tests/data/report-nul --quiet --no-progress
mailtrail report --db "$D/n.db" --large 10K --section sizes --format csv | grep -E '^large.*(sender|subject)'
rm -rf "$D"
