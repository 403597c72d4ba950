# PowerShell's common parameters, pasted from write-ups beside -ResultSize
# Unlimited, are taken (every cmdlet has them) and change nothing; -Verbose
# is search's --stats (what was read, on stderr), -Verbose:$false drops it.
mailtrail Get-MessageTrackingLog -EventId FAIL -ResultSize Unlimited -WarningAction SilentlyContinue --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -EventId FAIL -ErrorAction SilentlyContinue -ea Stop -OutVariable:r -InformationAction Ignore --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -EventId FAIL -Verbose --logs tests/data/seed --count; echo "exit $?"
mailtrail Get-MessageTrackingLog -EventId FAIL -Verbose:'$false' -Debug --logs tests/data/seed --count; echo "exit $?"
# a value parameter without its value is refused, as PowerShell does
mailtrail Get-MessageTrackingLog -EventId FAIL --logs tests/data/seed -ErrorAction; echo "exit $?"
T=$(mktemp -d); { mailtrail Export-ActiveSyncLog -Filename tests/data/iis/known -WhatIf -WarningAction SilentlyContinue -Verbose -OutputPath "$T"; echo "exit $?"; } | sed "s|$T|OUT|"; rmdir "$T"
