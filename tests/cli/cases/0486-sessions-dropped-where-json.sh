# The same four dropped sessions as 0485, in JSON and CSV: failure_command
# is RCPT, MAIL, DATA, RCPT (it was ""), failure_reply stays "" (no reply
# decided them). SYNTHETIC: tests/data/smtp-classes/README.md.
L=tests/data/smtp-classes/open-txn-cut
mailtrail sessions --logs $L --format json
mailtrail sessions --logs $L --format csv | cut -d, -f1,15-18
