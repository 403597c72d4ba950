# trace --format json says what each recipient's DSN was: "dsn_kind" beside
# ndr_message_id, "delay" for a delay notice, "failure" for an NDR, decided by
# what the DSN answers -- the last deferral or failure of the recipient logged
# no later than it -- and text says "Delay notice sent" / "NDR sent" by it.
# <again@...>'s g failed, its NDR was sent, then a Safety Net resubmission of
# the message was deferred: g is deferred, and its DSN is the NDR of the
# failure (text said "Delay notice sent", JSON had no field telling).
# Without a DSN the recipient's JSON is as it was (no dsn_kind).
# SYNTHETIC: tests/data/dsn-kind/README.md.
for m in slow bad again; do
    mailtrail trace --logs tests/data/dsn-kind "<$m@EX1.corp.lan>" --format json |
        grep -o '"address":"[^"]*","outcome":"[^"]*"\|"ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?'
done
mailtrail trace --logs tests/data/dsn-kind '<again@EX1.corp.lan>' | grep -E 'sent:|^  [a-z]'
echo "the NDR's own trace:"
mailtrail trace --logs tests/data/dsn-kind '<ndragain@EX1.corp.lan>' | grep ' DSN '
echo "--all, by the index:"
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/dsn-kind --quiet
mailtrail trace --db "$D/i.db" --all --format json | grep -o '"ndr_message_id":"[^"]*"\(,"dsn_kind":"[^"]*"\)\?'
rm -rf "$D"
