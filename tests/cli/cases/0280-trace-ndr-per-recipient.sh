# Each failed recipient shows the NDR that reported it, a deferred one none
# unless a DSN names it (a delay DSN). Every DSN of the message was given to
# every failed or deferred recipient: two failures 5 s apart both showed the
# later NDR, and a deferred recipient showed another's. Files and index alike.
# SYNTHETIC: tests/data/ndr-links/README.md.
mailtrail trace --logs tests/data/ndr-links '<two@EX1.corp.lan>' '<mix@EX1.corp.lan>' '<same@EX1.corp.lan>' '<named@EX1.corp.lan>' | grep -E '^Message|^  [a-z]|NDR sent|Delay notice'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/ndr-links --quiet
mailtrail trace --db "$D/i.db" '<two@EX1.corp.lan>' '<named@EX1.corp.lan>' --format json | grep -o '"address":"[^"]*","outcome":"[a-z]*"\|"ndr_message_id":"[^"]*"'
rm -rf "$D"
