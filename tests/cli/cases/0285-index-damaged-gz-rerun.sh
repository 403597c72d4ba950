# A .gz that cannot be read (cut short) is the same file on every re-run:
# unchanged and said again (exit 3), not "replaced" and read as new each
# time; a .gz damaged part way keeps the lines before the damage, once.
D=$(mktemp -d)
mkdir -p "$D/cut/S"
gzip -n -c < tests/data/unreadable-gz/SRV/SmtpSend/SEND20160827-1.LOG | head -c 700 > "$D/cut/S/SEND20160828-1.LOG.gz"
for run in 1 2 3; do
    mailtrail index --db "$D/i.db" --logs tests/data/unreadable-gz > "$D/o" 2>&1; echo "run $run exit $?"
    sed -e 's/ in [0-9.]* s$//' -e "s|$D|TMP|g" "$D/o"
done
mailtrail sql --db "$D/i.db" --format csv "SELECT count(*) AS lines FROM smtp_lines"
for run in 1 2; do
    mailtrail index --db "$D/p.db" --logs "$D/cut" > "$D/o" 2>&1; echo "part run $run exit $?"
    sed -e 's/ in [0-9.]* s$//' -e "s|$D|TMP|g" "$D/o"
done
mailtrail sql --db "$D/p.db" --format csv "SELECT count(*) AS lines FROM smtp_lines"
rm -rf "$D"
