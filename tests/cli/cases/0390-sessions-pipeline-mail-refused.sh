# More than 8 pipelined commands (MAIL + 10 RCPT): the replies still answer
# the oldest command open, so C2's 550 is MAIL's (rejected-sender), as C1's
# with 3 RCPTs; a fixed 8-slot queue forgot MAIL and read it as RCPT's.
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail sessions --logs tests/data/smtp-edges/pipeline-mail-refused --format json
