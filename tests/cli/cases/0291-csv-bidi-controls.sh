# CSV kept the bidi marks, embeddings, overrides and isolates (U+061C,
# U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) that the outputs for
# people show as U+FFFD: a spreadsheet or `cat` of the file showed a
# subject "invoice exe.pdf" for "invoice fdp.exe" and an address backwards.
# The rule for controls (one U+FFFD each) covers them now; Hebrew, ZWJ,
# U+2065 and NNBSP are no controls and stay. Counted over every CSV of
# search, report and sql. SYNTHETIC: tests/data/bidi-text/README.md.
B=tests/data/bidi-text
scan='
import sys
t = sys.stdin.buffer.read().decode("utf-8")
bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
print(sys.argv[1], len(t.splitlines()), "lines,", sum(t.count(c) for c in bidi), "bidi controls,", t.count("\ufffd"), "U+FFFD")'
mailtrail search --logs $B --format csv | python3 -c "$scan" search
mailtrail report --logs $B --format csv | python3 -c "$scan" report
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $B --quiet --no-progress
mailtrail sql --db "$D/i.db" "SELECT subject, sender FROM tracking ORDER BY timestamp" --format csv |
    python3 -c "$scan" sql
rm -rf "$D"
mailtrail search --logs $B --format csv | cut -d, -f13,19,20
