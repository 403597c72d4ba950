# An unknown short option written -x=value is named without its value, as
# --name=value is (case 0473): the value is not the option at fault. So is
# a pasted PowerShell parameter that is no parameter, -Name:value or
# -Name=value. In every command.
mailtrail search --logs tests/data/seed -x=1; echo "exit $?"
mailtrail trace --all --logs tests/data/seed -x=1; echo "exit $?"
mailtrail flows --logs tests/data/seed -x=1; echo "exit $?"
mailtrail pending --logs tests/data/seed -x=1; echo "exit $?"
mailtrail report --logs tests/data/seed -x=1; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-edges -x=1; echo "exit $?"
mailtrail session 08DC39A0000000F1 --logs tests/data/smtp-edges -x=1; echo "exit $?"
mailtrail backpressure --logs tests/data/backpressure-folders -x=1; echo "exit $?"
mailtrail tail --logs tests/data/seed -x=1; echo "exit $?"
mailtrail activesync -x=1 tests/data/iis; echo "exit $?"
mailtrail sql --db /nonexistent.db -x=1 'select 1'; echo "exit $?"
mailtrail gen -x=1; echo "exit $?"
mailtrail index -x=1; echo "exit $?"
mailtrail version -x=1; echo "exit $?"
mailtrail Get-MessageTrackingLog --logs tests/data/seed -Foo:bar; echo "exit $?"
mailtrail Get-MessageTrackingLog --logs tests/data/seed -Foo=bar; echo "exit $?"
# without a value the word is named whole, as before
mailtrail search --logs tests/data/seed -Foo; echo "exit $?"
