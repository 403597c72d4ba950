# sql ndr-by-code groups failures by the whole enhanced code, as report does
# (5.7.133 was counted as 5.7.1, 5.1.10 as 5.1.1, 5.7.900 as "5.7.9").
# SYNTHETIC: tests/data/ndr-codes/README.md.
db=$(mktemp -d)/i.db
mailtrail index --db "$db" --logs tests/data/ndr-codes --quiet --no-progress
mailtrail sql --db "$db" ndr-by-code --format csv | cut -d, -f1-3
mailtrail report --logs tests/data/ndr-codes --section failures --format csv | cut -d, -f1-2 | uniq
rm -rf "$(dirname "$db")"
