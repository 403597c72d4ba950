# The cut second transaction is what --failed and --class dropped find,
# and what `session` reports. SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail sessions --logs tests/data/smtp-classes/second-mail-cut --failed --class dropped --format csv | cut -d, -f1,15-17
mailtrail session 08DC39A000000201 --logs tests/data/smtp-classes/second-mail-cut | sed -n 1,5p
