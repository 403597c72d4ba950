# An IIS log without a #Fields line (nor any directive): activesync reads it
# with IIS's default layout and a warning; the index classified it unknown,
# kept none of its lines, and activesync --db said it held no IIS logs. Now
# the index takes it for IIS by the parser's own rule, and --db answers as
# the files do, warning included.
D=$(mktemp -d); mkdir "$D/a" "$D/b"
mailtrail activesync --use-gmt --output-path "$D/a" tests/data/iis-no-fields; echo "activesync from the files: exit $?"
mailtrail index --db "$D/i.db" --logs tests/data/iis-no-fields --quiet --no-progress; echo "index: exit $?"
mailtrail sql --db "$D/i.db" --format csv "SELECT path, kind FROM files"
mailtrail activesync --use-gmt --output-path "$D/b" --db "$D/i.db"; echo "activesync --db: exit $?"
for f in "$D"/a/*.csv; do cmp -s "$f" "$D/b/$(basename "$f")" && echo "$(basename "$f"): the same" || echo "$(basename "$f"): DIFFERENT"; done
cat "$D/b/Users.csv"
rm -rf "$D"
