# activesync reads a file named on the command line once, however often it
# is named: its path twice, a link to it, a copy of it under another name
# (the same size and bytes), or the same content compressed or decompressed
# (a .gz beside its plain file, either one named first). The first named is
# read and the one left out is noted; the exit code is the same. Each was
# read again: every request counted twice. A file that differs (a byte,
# or a plain file longer than the .gz named before it) is still read.
T=$(mktemp -d)
mkdir -p "$T/n" "$T/one"
cp tests/data/iis/known/EX1/u_ex240304.log "$T/n/a.log"
cp "$T/n/a.log" "$T/n/b.log"
ln -s a.log "$T/n/link.log"
gzip -n -c "$T/n/a.log" >"$T/n/a.log.gz"
sed 's/alice/alicf/' "$T/n/a.log" >"$T/n/other.log"
cp "$T/n/a.log" "$T/n/grown.log"; tail -n 1 "$T/n/a.log" >>"$T/n/grown.log"
cd "$T"
mailtrail activesync --use-gmt --output-path one n/a.log 2>/dev/null; echo "the file alone: exit $?"
run() {   # run NAME FILE...: read FILE..., say whether the CSVs are the file's alone
    what=$1; shift
    mkdir "$what"
    mailtrail activesync --use-gmt --output-path "$what" "$@"
    rc=$?
    if diff -r one "$what" >/dev/null; then echo "$what: exit $rc, the same CSVs"; else echo "$what: exit $rc, other CSVs"; fi
}
run copy n/a.log n/b.log
run twice n/a.log n/a.log
run link n/a.log n/link.log
run gz-after n/a.log n/a.log.gz
run gz-first n/a.log.gz n/a.log
run all n/a.log n/b.log n/link.log n/a.log.gz n/a.log
run differs n/a.log n/other.log
grep -c alicf differs/Users.csv
run grown n/a.log.gz n/grown.log
grep Total grown/Users.csv | cut -d, -f1-6
cd - >/dev/null
rm -rf "$T"
