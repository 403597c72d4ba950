# An unknown option is named as typed: PowerShell's -Foo is one word, which
# getopt reads as the letters F, o, o (the previous word was named before).
mailtrail Get-MessageTrackingLog -Foo bar --logs tests/data/seed; echo "exit $?"
mailtrail trace '<x@y>' -Zq --logs tests/data/seed; echo "exit $?"
mailtrail search --no-such-option --logs tests/data/seed; echo "exit $?"
mailtrail search --logs tests/data/seed -x; echo "exit $?"
