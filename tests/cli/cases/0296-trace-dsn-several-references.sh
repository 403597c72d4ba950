# A DSN whose reference names two messages (<a@...>;<b@...>) is the NDR of
# both: traced alone, together, four at once (one pass over the logs) and
# from the index. It was gathered for each (the searches split reference on
# ';') but filed under the whole string, so neither showed it.
# SYNTHETIC: tests/data/dsn-links/README.md.
L=tests/data/dsn-links
for set in "<a@EX1.corp.lan>" "<b@EX1.corp.lan>" "<a@EX1.corp.lan> <b@EX1.corp.lan>" \
    "<a@EX1.corp.lan> <b@EX1.corp.lan> <late@EX1.corp.lan> <none@EX1.corp.lan>"; do
    echo "== $set"
    # shellcheck disable=SC2086
    mailtrail trace --logs $L $set 2>&1 | grep -E '^Message|^  [a-z]|NDR sent|Delay notice|no event'
done
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs $L --quiet
echo "== index"
mailtrail trace --db "$D/i.db" '<a@EX1.corp.lan>' '<b@EX1.corp.lan>' --format json | grep -o '"address":"[^"]*","outcome":"[a-z]*"\|"ndr_message_id":"[^"]*"'
rm -rf "$D"
