# The table names the command where a failed or dropped session stopped, as
# failure_command does in json/csv/list: after the class, never cut. A
# dropped session cut after its 354 says DATA, one cut with a RCPT or MAIL
# unanswered says so (open-txn-cut); a reply that answered no command (E005,
# the relay's 421 timeout) says "(unsolicited)", as list does; a session
# dropped with nothing under way (E006, E008) and an ok one leave it empty,
# with no blanks after the class. The reply stays in the other formats.
# SYNTHETIC: tests/data/smtp-classes/README.md, tests/data/smtp-compare/README.md.
mailtrail sessions --logs tests/data/smtp-classes/open-txn-cut --format table
mailtrail sessions --logs tests/data/smtp-compare --format table | cut -c 102-
# no row ends in a blank
mailtrail sessions --logs tests/data/smtp-compare --format table | awk '/ $/ { n++ } END { print n + 0 " rows end in a blank" }'
