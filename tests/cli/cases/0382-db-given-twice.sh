# --db given twice is a usage error naming both values (it was last-wins), in every command that takes it.
for c in search trace flows pending report sessions backpressure sql index tail activesync; do
    mailtrail $c --db a.db --db b.db > /dev/null 2> err.txt; echo "$c exit $?: $(cat err.txt)"
done
mailtrail session 08D3CA1E5B7C23A7 --db a.db --db b.db 2>&1; echo "session exit $?"
rm -f err.txt
