# --max-age removes the problems of a file none of whose lines could be read
# (no record time: last_ms is empty) once the file was last changed before the
# age; they stayed for ever. The same file changed now keeps them.
# SYNTHETIC: tests/data/retention-bad-only/README.md.
D=$(mktemp -d)
mkdir "$D/old" "$D/new"
cp -r tests/data/retention-bad-only/EX1 "$D/old/"
cp -r tests/data/retention-bad-only/EX1 "$D/new/"
touch -d 2016-09-02T00:00:00Z "$D/old/EX1/MSGTRK20160901-1.LOG"
for k in old new; do
    mailtrail index --db "$D/$k.db" --logs "$D/$k" --quiet --no-progress 2>/dev/null
    echo "$k, indexed: $(mailtrail sql --db "$D/$k.db" 'SELECT count(*) FROM problems' --format csv | tail -n 1) problems"
    mailtrail index --db "$D/$k.db" --logs "$D/$k" --quiet --no-progress --max-age 30d
    rc=$?
    echo "$k, after --max-age 30d (exit $rc): $(mailtrail sql --db "$D/$k.db" 'SELECT count(*) FROM problems' --format csv | tail -n 1) problems"
done
rm -rf "$D"
