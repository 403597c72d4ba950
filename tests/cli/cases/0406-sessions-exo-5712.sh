# Exchange Online's "550 5.7.12 Sender was not authenticated by organization"
# (a group taking mail only from authenticated senders of its organisation)
# refuses the message: policy, not auth-failed. Our own AUTH refused with
# "432 4.7.12 A password transition is needed" stays auth-failed.
# SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail sessions --logs tests/data/smtp-classes/exo-5712 --format csv | cut -d, -f1,3,15-17
mailtrail sessions --logs tests/data/smtp-classes/exo-5712 --class auth-failed --format csv | cut -d, -f1
