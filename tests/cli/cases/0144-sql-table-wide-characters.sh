# Table columns are measured in terminal cells: wide (CJK) text, combining marks.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
mailtrail sql --db "$D/i.db" --format table "SELECT '会議の議事録' AS subject, 6 AS n UNION ALL SELECT 'café', 4 UNION ALL SELECT 'plain text here', 15"
rm -rf "$D"
