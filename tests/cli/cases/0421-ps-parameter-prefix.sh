# PowerShell takes any prefix that begins one parameter name only, in any
# case: -Recipient is -Recipients. A prefix of several is a usage error
# naming them; errors name the command as typed.
mailtrail Get-MessageTrackingLog -Recipient alan.reid@mynet.lan --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -recip alan.reid@mynet.lan -eventi deliver -Sta 2016-08-01 --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -Se EX13-1 --logs tests/data/seed --count; echo "exit $?"
mailtrail get-messagetrackinglog -E FAIL --logs tests/data/seed --count; echo "exit $?"
mailtrail Export-ActiveSyncLog -Filename tests/data/iis/known -Output x; echo "exit $?"
# the word after a value parameter is its value, unless it is a parameter
mailtrail Get-MessageTrackingLog -MessageSubject -x --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -EventId --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -MessageSubject -Sender --logs tests/data/seed --count; echo "exit $?"
