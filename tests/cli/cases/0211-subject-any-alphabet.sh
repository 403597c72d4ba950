# --subject is case-insensitive for Latin, Greek and Cyrillic letters, from
# the files and from an index (it folded ASCII only: "über" missed "Über").
# SYNTHETIC: tests/data/subjects-intl/README.md.
db=$(mktemp -d)/i.db
mailtrail index --db "$db" --logs tests/data/subjects-intl --quiet --no-progress
for s in über 'ärger' 'ŁÓDŹ' 'привет' 'ΚΑΛΗΜΈΡΑ' 'ascii' 'übär'; do
    echo "$s: $(mailtrail search --logs tests/data/subjects-intl --subject "$s" --count) $(mailtrail search --db "$db" --subject "$s" --count)"
done
rm -rf "$(dirname "$db")"
