# The same logs indexed with --logs spelled another way (an absolute path,
# then a relative one, then through a link to the folder) are the same
# files: each event once (every run added the 29 again), the rows renamed.
D=$(mktemp -d)
ln -s "$PWD/tests/data/seed" "$D/link"
mailtrail index --db "$D/i.db" --logs "EX13-1=$PWD/tests/data/seed/EX13-1" --quiet --no-progress
mailtrail index --db "$D/i.db" --logs EX13-1=tests/data/seed/EX13-1 --no-progress 2>&1 | sed "s|$D|TMP|; s/in [0-9.]* s/in S s/"
mailtrail index --db "$D/i.db" --logs "EX13-1=$D/link/EX13-1" --no-progress 2>&1 | sed "s|$D|TMP|; s/in [0-9.]* s/in S s/"
echo "from the index: $(mailtrail search --db "$D/i.db" --count), from the files: $(mailtrail search --logs EX13-1=tests/data/seed/EX13-1 --count)"
rm -rf "$D"
