# A file with the same size and bytes as one before it is left out, log or
# not; the note saying so is for logs only (what a reader takes for one by
# its first bytes, whatever its name): two identical notes copied with their
# folders were reported as "a copy of ...", noise beside a search, and a
# README's copy was the one the note named while a log's copy went uncounted
# in "and 1 more file". The same for a compressed copy of a plain file.
T=$(mktemp -d)
M=tests/data/copied-logs/EX13-1/MessageTracking/MSGTRK20160828-1.LOG
I=tests/data/iis/known/EX1/u_ex240304.log
mkdir -p "$T/a/S" "$T/a/T" "$T/b/S" "$T/b/T" "$T/c/S" "$T/d/S" "$T/d/T"
for s in S T; do
    echo "notes, not a log" >"$T/a/$s/A-NOTES.md"; cp "$M" "$T/a/$s/MSGTRK20160828-1.LOG"
    echo "notes, not a log" >"$T/b/$s/NOTES.md"
    cp "$M" "$T/d/$s/backup.txt"; cp "$I" "$T/d/$s/web.txt"   # logs renamed: still logs
done
echo "notes, not a log" >"$T/c/S/NOTES.md"; gzip -n -c "$T/c/S/NOTES.md" >"$T/c/S/NOTES.md.gz"
cd "$T"
echo "a log and a note, each copied:"; mailtrail search --logs a --count
echo "only a note copied:"; mailtrail search --logs b --count; echo "exit $?"
echo "a note and its gzip:"; mailtrail search --logs c --count; echo "exit $?"
echo "logs under other names:"; mailtrail search --logs d --count
cd - >/dev/null
rm -rf "$T"
