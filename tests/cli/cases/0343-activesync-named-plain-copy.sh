# activesync reads a log named on the command line and not a copy of it
# (the same size and bytes) found by walking a folder given beside it, as
# the log set reads a copied folder once (named files come first); it
# counted its requests twice. The named file found again in its own folder
# is the same file, said as before.
T=$(mktemp -d)
mkdir -p "$T/named" "$T/copies" "$T/one" "$T/a" "$T/b"
cp tests/data/iis/known/EX1/u_ex240304.log "$T/named/"
cp "$T/named/u_ex240304.log" "$T/copies/"
cd "$T"
mailtrail activesync --use-gmt --output-path one named/u_ex240304.log; echo "the file alone: exit $?"
mailtrail activesync --use-gmt --output-path a named/u_ex240304.log copies; echo "and its copy's folder: exit $?"
diff -r one a && echo "a: the same CSVs"
mailtrail activesync --use-gmt --output-path b named/u_ex240304.log named copies; echo "and its own folder: exit $?"
diff -r one b && echo "b: the same CSVs"
cd - >/dev/null
rm -rf "$T"
