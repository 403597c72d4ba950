# An unknown option written --name=value is named without its value (the
# value is not the option at fault), in every command; a known option that
# takes no value, given one, is said to take none rather than be unknown.
mailtrail backpressure --remote=1.2.3.4 --logs tests/data/backpressure-folders; echo "exit $?"
mailtrail search --logs tests/data/seed --bogus=7; echo "exit $?"
mailtrail trace --all --logs tests/data/seed --bogus=7; echo "exit $?"
mailtrail flows --logs tests/data/seed --bogus=7; echo "exit $?"
mailtrail pending --logs tests/data/seed --bogus=7; echo "exit $?"
mailtrail report --logs tests/data/seed --bogus=7; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-edges --bogus=7; echo "exit $?"
mailtrail session 08DC39A0000000F1 --logs tests/data/smtp-edges --bogus=7; echo "exit $?"
mailtrail tail --logs tests/data/seed --bogus=7; echo "exit $?"
mailtrail activesync --bogus=7 tests/data/iis; echo "exit $?"
mailtrail sql --db /nonexistent.db --bogus=7 'select 1'; echo "exit $?"
mailtrail gen --bogus=7; echo "exit $?"
mailtrail index --bogus=7; echo "exit $?"
mailtrail version --bogus=7; echo "exit $?"
# the sister command's option keeps its own message, value or not
mailtrail session 08DC39A0000000F1 --logs tests/data/smtp-edges --server=SRV; echo "exit $?"
# known options that take no value
mailtrail sessions --logs tests/data/smtp-edges --failed=yes; echo "exit $?"
mailtrail session --help=x; echo "exit $?"
mailtrail search --logs tests/data/seed --count=5; echo "exit $?"
mailtrail tail --logs tests/data/seed --from-start=1; echo "exit $?"
