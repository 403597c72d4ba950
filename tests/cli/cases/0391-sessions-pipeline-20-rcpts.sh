# MAIL + 20 RCPT pipelined, the last RCPT refused: D2's failure_command is
# RCPT (it was "" when the queue had dropped the RCPT the 550 answered).
# SYNTHETIC: tests/data/smtp-edges/README.md.
mailtrail sessions --logs tests/data/smtp-edges/pipeline-20-rcpts --format json
