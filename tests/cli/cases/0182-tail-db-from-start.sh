# tail --db --from-start prints what the followed files hold although the
# index holds it already (it printed nothing: only what a pass newly read),
# and only the followed files' events (the index may hold other servers').
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/seed --quiet --no-progress
echo "EX13-1 in the files: $(mailtrail search --logs EX13-1=tests/data/seed/EX13-1 --count)"
mailtrail tail --db "$D/i.db" --logs EX13-1=tests/data/seed/EX13-1 --from-start --duration 0.3 --format csv > "$D/out"; echo "tail --db --from-start: exit $?, $(($(wc -l < "$D/out") - 1)) events"
mailtrail tail --logs EX13-1=tests/data/seed/EX13-1 --from-start --duration 0.3 --format csv > "$D/plain"; echo "tail --from-start: exit $?, $(($(wc -l < "$D/plain") - 1)) events"
cmp -s "$D/out" "$D/plain" && echo "the same lines" || echo "DIFFERENT lines"
rm -rf "$D"
