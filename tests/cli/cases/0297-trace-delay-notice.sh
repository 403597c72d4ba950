# A DSN given to a deferred recipient is the delay notice of its deferral:
# text says "Delay notice sent", not "NDR sent" (which told the reader it had
# bounced); JSON keeps it in ndr_message_id beside "outcome":"deferred". A
# recipient deferred, sent a delay notice, and failed later shows its NDR,
# not the earlier delay notice that names it too.
# SYNTHETIC: tests/data/ndr-links/README.md, tests/data/dsn-links/README.md.
mailtrail trace --logs tests/data/ndr-links '<named@EX1.corp.lan>' | grep -E '^  [a-z]|NDR sent|Delay notice'
mailtrail trace --logs tests/data/ndr-links '<named@EX1.corp.lan>' --format json | grep -o '"address":"[^"]*","outcome":"[a-z]*"\|"ndr_message_id":"[^"]*"'
mailtrail trace --logs tests/data/dsn-links '<late@EX1.corp.lan>' | grep -E '^  [a-z]|NDR sent|Delay notice'
mailtrail trace --logs tests/data/dsn-links '<late@EX1.corp.lan>' --format json | grep -o '"address":"[^"]*","outcome":"[a-z]*"\|"ndr_message_id":"[^"]*"'
