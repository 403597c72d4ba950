# A long option shortened to a prefix of more than one option is said to be
# ambiguous, naming them, with a value (--se=x) or without (--se): it was
# "unknown option", as if the name were misspelt. A prefix of one option
# (or of aliases of one: --recip) is that option.
mailtrail search --logs tests/data/seed --se x; echo "exit $?"
mailtrail search --logs tests/data/seed --se=x; echo "exit $?"
mailtrail search --logs tests/data/seed --re=1; echo "exit $?"
mailtrail Get-MessageTrackingLog --logs tests/data/seed --se=x; echo "exit $?"
mailtrail tail --logs tests/data/seed --f=csv; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-edges --c=ok; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-edges --c; echo "exit $?"
mailtrail report --logs tests/data/seed --s=day; echo "exit $?"
mailtrail backpressure --logs tests/data/backpressure-folders --s=x; echo "exit $?"
mailtrail trace --logs tests/data/seed --sys=2016 x; echo "exit $?"
mailtrail activesync --output-p=x tests/data/iis; echo "exit $?"
mailtrail gen --s=1; echo "exit $?"
mailtrail sql --db /nonexistent.db --l=1 'select 1'; echo "exit $?"
# not ambiguous: one option, or two names of one
mailtrail search --logs tests/data/seed --recip nobody@nowhere.example --co; echo "exit $?"
mailtrail search --logs tests/data/seed --co=5; echo "exit $?"
