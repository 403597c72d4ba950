# A device's compliance is the one its latest request states: by the
# requests' times, so the order the files come in (command line, folder
# names) does not decide; only requests of the same second go by the order
# of reading (the later file). tests/data/activesync-folders/README.md.
T=$(mktemp -d)
D=tests/data/activesync-folders
for order in "S S-2" "S-2 S"; do
    set --
    for s in $order; do set -- "$@" "$D/$s/u_ex240305.log"; done
    for t in 1 2; do
        mailtrail activesync --threads $t --use-gmt --output-path "$T" "$@"
        echo "$order, threads $t: exit $?"
        cut -d, -f1,2,26 "$T/Users.csv"
    done
done
rm -rf "$T"
