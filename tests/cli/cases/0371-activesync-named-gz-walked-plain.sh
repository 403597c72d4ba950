# activesync reads a .gz log named on the command line and not a plain
# copy of its content (gunzip -k) found by walking a folder given beside
# it, nor the same lines compressed again (a .zst, or another gzip level):
# the reverse of case 0342, where the plain file is named and its .gz
# walked. Both were read: every request counted twice. A plain file that
# holds more than the .gz (it grew after the .gz was made) is still read.
T=$(mktemp -d)
mkdir -p "$T/named" "$T/plain" "$T/again" "$T/grown" "$T/one"
cp tests/data/iis/known/EX1/u_ex240304.log "$T/plain/"
gzip -n -c "$T/plain/u_ex240304.log" >"$T/named/u_ex240304.log.gz"
gzip -n -1 -c "$T/plain/u_ex240304.log" >"$T/again/u_ex240304.log.gz"
zstd -q -c "$T/plain/u_ex240304.log" >"$T/again/u_ex240304.log.zst"
cp "$T/plain/u_ex240304.log" "$T/grown/"; tail -n 1 "$T/plain/u_ex240304.log" >>"$T/grown/u_ex240304.log"
cd "$T"
cmp -s named/u_ex240304.log.gz again/u_ex240304.log.gz || echo "the two .gz differ on disk"
mailtrail activesync --use-gmt --output-path one named/u_ex240304.log.gz 2>/dev/null; echo "the .gz alone: exit $?"
run() {   # run NAME ARG...: say whether the CSVs are the .gz's alone
    what=$1; shift
    mkdir "$what.csv"
    mailtrail activesync --use-gmt --output-path "$what.csv" "$@"
    rc=$?
    if diff -r one "$what.csv" >/dev/null; then echo "$what: exit $rc, the same CSVs"; else echo "$what: exit $rc, other CSVs"; fi
}
run plain named/u_ex240304.log.gz plain
run again named/u_ex240304.log.gz again
run grown named/u_ex240304.log.gz grown
grep Total grown.csv/Users.csv | cut -d, -f1-6
run both named/u_ex240304.log.gz named plain
cd - >/dev/null
rm -rf "$T"
