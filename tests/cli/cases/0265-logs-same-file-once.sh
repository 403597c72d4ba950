# A file given twice is read once, from the files as from the index: a folder
# named twice, under two server names (the name given last is kept, as the
# index keeps it), or through a link. Said once on stderr, with how many.
T=$(mktemp -d)
S=tests/data/seed/EX13-1
for logs in "--logs $S" "--logs $S --logs $S" "--logs X=$S --logs Y=$S"; do
    rm -f "$T"/i.db*
    mailtrail index --db "$T/i.db" $logs >/dev/null
    echo "index $logs: exit $?"
    mailtrail search $logs --count; echo "files: exit $?"
    mailtrail search --db "$T/i.db" --count; echo "db: exit $?"
done
for name in X Y; do
    mailtrail search --logs X=$S --logs Y=$S --server $name --count 2>/dev/null; echo "files, server $name: exit $?"
    mailtrail search --db "$T/i.db" --server $name --count 2>/dev/null; echo "db, server $name: exit $?"
done
# a server folder and a link to it, side by side
mkdir "$T/logs" && cp -R $S "$T/logs/A" && ln -s A "$T/logs/L"
cd "$T"
mailtrail index --db j.db --logs logs >/dev/null
echo "index --logs logs (L -> A): exit $?"
mailtrail search --logs logs --count; echo "files: exit $?"
mailtrail search --db j.db --count; echo "db: exit $?"
mailtrail search --db j.db --server L --count; echo "db, server L: exit $?"
cd - >/dev/null
rm -rf "$T"
