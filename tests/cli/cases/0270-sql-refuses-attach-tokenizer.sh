# sql reads the index it is given, nothing else, and gives away no pointer:
# ATTACH and DETACH are usage errors (exit 2; ATTACH of a missing file was
# exit 4, of an existing one read another database), and fts3_tokenizer()
# is refused in both forms, its arguments written or bound as parameters
# (the one-argument form printed a live address; the two-argument form set
# a function pointer). The index still answers after a refusal.
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
cp "$D/i.db" "$D/other.db"
{ mailtrail sql --db "$D/i.db" "ATTACH '$D/none.db' AS e"; echo "attach missing exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "ATTACH '$D/other.db' AS e"; echo "attach exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "DETACH e"; echo "detach exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELECT fts3_tokenizer('simple')"; echo "tokenizer exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELECT Fts3_Tokenizer('simple', X'4141414141414141')"; echo "set tokenizer exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELECT fts3_tokenizer(?1)" simple; echo "bound tokenizer exit $?"; } 2>&1
{ mailtrail sql --db "$D/i.db" "SELECT load_extension('$D/x')"; echo "extension exit $?"; } 2>&1
mailtrail sql --db "$D/i.db" "SELECT count(*) AS files FROM files"; echo "exit $?"
rm -rf "$D"
