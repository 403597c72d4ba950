# Every CSV is valid UTF-8: a Latin-1 byte and a NUL in a subject are written
# as U+FFFD (they went out raw, and a reader decoding UTF-8 -- Python's csv
# here -- failed on the whole file); so are ESC, BEL, DEL and the C1 CSI
# (0252); tab stays, quoting as before. SYNTHETIC: tests/data/hostile-text/README.md.
L=tests/data/hostile-text
read_csv='import csv, sys; rows = list(csv.reader(open(0, encoding="utf-8", newline=""))); print(len(rows), "rows"); [print(ascii(r[int(sys.argv[1])])) for r in rows]'
mailtrail search --logs $L --format csv | python3 -c "$read_csv" 18
mailtrail pending --logs $L --format csv | python3 -c "$read_csv" 6
mailtrail sessions --logs $L --format csv | python3 -c "$read_csv" 12
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT subject FROM tracking WHERE event_id = 'RECEIVE' ORDER BY timestamp" --format csv | python3 -c "$read_csv" 0
rm -rf "$D"
