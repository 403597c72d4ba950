# -Filename a,b as PowerShell passes an array: the same CSVs as naming both files.
T=$(mktemp -d); mkdir "$T/a" "$T/b" "$T/c"; A=$(ls tests/data/iis/known/EX1/*.log | head -n 1); B=$(ls tests/data/iis/known/EX2/*.log | head -n 1)
mailtrail Export-ActiveSyncLog -Filename "$A,$B" -OutputPath "$T/a" -UseGMT; echo "array exit $?"
mailtrail activesync --output-path "$T/b" --use-gmt "$A" "$B"; echo "two files exit $?"
for f in Users Servers Hourly StatusCodes PolicyCompliance UserAgents; do cmp "$T/a/$f.csv" "$T/b/$f.csv" && echo "$f.csv same"; done
mailtrail Export-ActiveSyncLog -Filename "$A, nosuch.log" -OutputPath "$T/c" -UseGMT 2>&1; echo "missing exit $?"
rm -rf "$T"
