# The hop line of a DSN event (the trace of the DSN message itself) names it
# as the recipient block of its original does: "Delay notice sent" for a DSN
# naming a recipient deferred and not yet failed when it was sent, "NDR
# sent" for one after the failure or naming the original sender. It used to
# say "NDR sent" for every DSN. From the logs and from an index alike.
# SYNTHETIC: tests/data/ndr-links/README.md, tests/data/dsn-links/README.md.
mailtrail trace --logs tests/data/ndr-links '<delayq@EX1.corp.lan>' '<ndrp2@EX1.corp.lan>' '<ndrmix@EX1.corp.lan>' | grep ' DSN '
mailtrail trace --logs tests/data/dsn-links '<delaylate@EX1.corp.lan>' '<ndrlate@EX1.corp.lan>' | grep ' DSN '
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/dsn-links --quiet
mailtrail trace --db "$D/i.db" '<delaylate@EX1.corp.lan>' '<ndrlate@EX1.corp.lan>' | grep ' DSN '
rm -rf "$D"
