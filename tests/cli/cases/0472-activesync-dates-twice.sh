# activesync's --start-date and --end-date, and the cmdlet's -StartDate and
# -EndDate, take one value, as search's --start and --end do: the second is a
# usage error naming the option as it was typed, and nothing is written.
mailtrail activesync --what-if --start-date 2016-08-01 --start-date 2016-09-01 tests/data/iis; echo "exit $?"
mailtrail activesync --what-if --end-date=2016-09-01 --end-date=2016-10-01 tests/data/iis; echo "exit $?"
mailtrail Export-ActiveSyncLog -WhatIf -Filename tests/data/iis -StartDate 8/1/2016 -StartDate 9/1/2016; echo "exit $?"
mailtrail Export-ActiveSyncLog -WhatIf -Filename tests/data/iis -EndDate:9/1/2016 -EndDate:10/1/2016; echo "exit $?"
mailtrail Export-ActiveSyncLog -WhatIf -Filename tests/data/iis -StartDate 8/1/2016 --start-date 2016-09-01; echo "exit $?"
