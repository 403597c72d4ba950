# A 250 to DATA that names no queue id we know (Gmail's) still means the
# message got through: B1 (QUIT, then -,,Remote without a 221) is ok, B2
# (message 1 accepted, message 2's RCPT refused) partial, not failed.
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail sessions --logs tests/data/smtp-edges/foreign-accept --format csv
