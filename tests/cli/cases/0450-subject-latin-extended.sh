# --subject folds the case of Latin Extended-B, Latin Extended Additional and
# Cyrillic Supplement letters too, from the files and from an index (a hunt
# found "ședință", "ǆ test", "ảnh chụp" and "ɓ" matched nothing; ẞ, three
# bytes, matches ß, two). SYNTHETIC: tests/data/subjects-latin-ext/README.md.
db=$(mktemp -d)/i.db
mailtrail index --db "$db" --logs tests/data/subjects-latin-ext --quiet --no-progress
for s in 'ședință' 'ȘEDINȚĂ' 'ǆ test' 'ǅ TEST' 'ảnh chụp' 'Ảnh Chụp Hôm' 'ɓ' 'ɓ ƈ ɗ' 'strasse ß' 'ẞ' 'ԛԝ документ' 'strasse ss'; do
    echo "$s: $(mailtrail search --logs tests/data/subjects-latin-ext --subject "$s" --count) $(mailtrail search --db "$db" --subject "$s" --count)"
done
mailtrail search --logs tests/data/subjects-latin-ext --subject 'ședință' --format csv | cut -d, -f1,9,11
rm -rf "$(dirname "$db")"
