# Damage met while rebuilding events is said once and exits 3. Recipients
# (rcpts damaged): search, trace, flows and report gave every event with no
# recipient, exit 0 and no word (flows then counted outbound mail as
# internal). The small strings (strs damaged): exit 4 with SQLite's bare
# message, report adding "out of memory or a system error".
. tests/cli/damage-index.sh
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet
cp "$D/i.db" "$D/rcpts.db"; damage_index "$D/rcpts.db" rcpts
cp "$D/i.db" "$D/strs.db"; damage_index "$D/strs.db" strs
for t in rcpts strs; do
    for c in search flows report; do
        { mailtrail $c --db "$D/$t.db" >/dev/null; echo "$t $c exit $?"; } 2>&1 | sed "s|$D|DIR|g"
    done
    { mailtrail trace --db "$D/$t.db" --all >/dev/null; echo "$t trace exit $?"; } 2>&1 | sed "s|$D|DIR|g"
done
rm -rf "$D"
