# The six CSVs and stderr are the same on 1, 2, 3 and 8 threads (files read
# in parallel, per-worker counts merged), over a generated organisation's
# IIS logs named in a shuffled order plus the hand-made known/ set.
T=$(mktemp -d)
mailtrail gen --out "$T/org" --servers 3 --days 2 --messages-per-day 50 --seed 11 >/dev/null 2>&1
set -- $(find "$T/org" -path '*W3SVC1*' -name '*.log' | sort -r) tests/data/iis/known
for t in 1 2 3 8; do
    mkdir "$T/t$t"
    mailtrail activesync --threads $t --use-gmt --output-path "$T/t$t" "$@" 2>"$T/t$t.err"
    echo "threads $t: exit $?"
done
for t in 2 3 8; do
    for f in Users Servers Hourly StatusCodes PolicyCompliance UserAgents; do
        cmp -s "$T/t1/$f.csv" "$T/t$t/$f.csv" || echo "threads $t: $f.csv differs"
    done
    cmp -s "$T/t1.err" "$T/t$t.err" || echo "threads $t: stderr differs"
done
echo "more than 50 users rows: $(($(wc -l < "$T/t1/Users.csv") > 50))"
sed "s#$T#T#g" "$T/t1.err"
rm -rf "$T"
