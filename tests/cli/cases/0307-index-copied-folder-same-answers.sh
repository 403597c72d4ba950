# The index reads the log set the files give: a copied folder is read once
# there too, and --db answers search --count, trace, flows and report as
# --logs does, byte for byte.
D=$(mktemp -d)
L=tests/data/copied-logs
mailtrail index --db "$D/i.db" --logs $L --quiet; echo "index: exit $?"
mailtrail index --db "$D/i.db" --logs $L --quiet 2>/dev/null; echo "again: exit $?"
mailtrail index --db "$D/i.db" --stats | grep -E '^(files|events|messages):'
for q in "search --count" "search --count --server EX13-1" "trace --all --format json" "flows" \
         "report --format json" "trace --subject INBD-003"; do
    mailtrail $q --logs $L >"$D/files" 2>/dev/null; a=$?
    mailtrail $q --db "$D/i.db" >"$D/db" 2>/dev/null; b=$?
    if cmp -s "$D/files" "$D/db" && [ $a = $b ]; then echo "$q: the same ($(wc -c <"$D/db") bytes, exit $a)"
    else echo "$q: --db differs from --logs (exit $a/$b)"; diff "$D/files" "$D/db" | head -n 10; fi
done
mailtrail search --db "$D/i.db" --count
rm -rf "$D"
