# activesync reads a plain log named on the command line and not a .gz copy
# of it found by walking a folder given beside it, as the log set leaves out
# a compressed copy of a plain file it met first (named files come first).
# The copy check compared only the files walked: its requests counted twice.
# A .gz that is no copy of a named file (other bytes) is still read.
T=$(mktemp -d)
mkdir -p "$T/named" "$T/copies" "$T/other" "$T/one" "$T/a" "$T/b"
cp tests/data/iis/known/EX1/u_ex240304.log "$T/named/"
gzip -n -c "$T/named/u_ex240304.log" >"$T/copies/u_ex240304.log.gz"
gzip -n -c tests/data/iis/known/EX2/u_ex240304.log >"$T/other/u_ex240304.log.gz"
cd "$T"
mailtrail activesync --use-gmt --output-path one named/u_ex240304.log; echo "the plain file alone: exit $?"
mailtrail activesync --use-gmt --output-path a named/u_ex240304.log copies; echo "and its copy's folder: exit $?"
diff -r one a && echo "a: the same CSVs"
mailtrail activesync --use-gmt --output-path b named/u_ex240304.log other; echo "and another server's .gz: exit $?"
cut -d, -f1-6 b/Users.csv; cut -d, -f1,3 b/Servers.csv
cd - >/dev/null
rm -rf "$T"
