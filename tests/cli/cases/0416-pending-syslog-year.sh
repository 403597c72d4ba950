# A smart host's log alone: its classic stamps take --syslog-year (and
# --syslog-tz), as in trace; a bad year is a usage error, and flows, which
# reads no Postfix log, does not take the options.
# SYNTHETIC: tests/data/postfix-pending/README.md.
S=tests/data/postfix-pending/smarthost
mailtrail pending --logs smarthost=$S --syslog-year 2016 --format json
mailtrail pending --logs smarthost=$S --syslog-year 2016 --syslog-tz Europe/Berlin --format csv
mailtrail pending --logs smarthost=$S --syslog-year 16; echo "exit $?"
mailtrail flows --logs smarthost=$S --syslog-year 2016; echo "exit $?"
