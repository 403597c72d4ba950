# Internal mail that EX1 could not hand to EX2 at first (SMTP DEFER 451 4.4.0,
# retried, delivered on EX2) is internal; a message whose recipient an SMTP
# DEFER or FAIL towards the partner's MX ended is outbound. Any SMTP FAIL or
# DEFER in a message made it outbound. Files and index alike.
# SYNTHETIC: tests/data/internal-retry/README.md.
mailtrail flows --logs tests/data/internal-retry
mailtrail trace --logs tests/data/internal-retry '<int1@EX1.corp.lan>' | sed -n '/^Recipients/,$p'
D=$(mktemp -d)
mailtrail index --db "$D/i.db" --logs tests/data/internal-retry --quiet
mailtrail flows --db "$D/i.db" --format json
rm -rf "$D"
