# A message delivered, then a second MAIL FROM never answered before the
# remote side cut the connection (201), or MAIL and RCPT accepted and cut
# before DATA (202): the second transaction never completed, so the session
# is partial/dropped, not ok because the first message got through. 203
# (RSET after its message, then cut) left nothing open: ok.
# SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail sessions --logs tests/data/smtp-classes/second-mail-cut --format csv
