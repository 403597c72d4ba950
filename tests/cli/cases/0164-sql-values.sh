# sql prints what SQLite returns as valid JSON and readable CSV: Inf and NaN
# are no JSON numbers (text instead), a blob is X'..' (it stopped at its first
# NUL, or printed raw bytes); options may follow the statement (they were
# bound as parameters, silently; a parameter starting with - goes after --),
# a named query takes --db after its name,
# and more values than parameters is a usage error. A text with a NUL byte
# comes out whole; CSV lines end in CRLF (RFC 4180, as every other CSV).
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT 1e999 AS inf, -1e999 AS ninf, 0.5 AS half, 7 AS seven" --format json
mailtrail sql --db "$D/i.db" "SELECT x'00ff41' AS blob, length(cold) > 0 AS packed FROM events LIMIT 1" --format csv
mailtrail sql --db "$D/i.db" "SELECT ?1 AS a, ?2 AS b" one --format json; echo "exit $?"
mailtrail sql --db "$D/i.db" "SELECT ?1 AS a" --format csv -- -5; echo "exit $?"
mailtrail sql --db "$D/i.db" "SELECT ?1 AS a" -5; echo "exit $?"
mailtrail sql --db "$D/i.db" "SELECT 1 AS a" x y; echo "exit $?"
mailtrail sql messages-per-hour --db "$D/i.db" --limit 2 --format csv; echo "exit $?"
mailtrail sql --list > /dev/full; echo "sql --list to a full disk: exit $?"
# a text holding a NUL byte comes out whole (it stopped there), in CSV with the
# NUL as U+FFFD (as every CSV of mailtrail: readers refuse NUL); CSV lines end in CRLF
mailtrail sql --db "$D/i.db" "SELECT 'nul' || char(0) || 'byte' AS t" --format json
mailtrail sql --db "$D/i.db" "SELECT 'nul' || char(0) || 'byte' AS t" --format csv | od -c | sed 's/  */ /g' 
rm -rf "$D"
