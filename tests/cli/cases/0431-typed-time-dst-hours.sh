# A typed time in the hour New York repeats (2016-11-06 1:00-2:00 AM) is
# standard time, as the cmdlet's .NET conversion reads it: 1:30 AM is 06:30Z
# (S5, S6), not the daylight 05:30Z. --start and -End read it the same way.
# One in the hour it skips (2016-03-13 2:00-3:00 AM) takes the offset from
# before the jump: 2:30 AM is 07:30Z, 3:30 EDT (S14, S15).
mailtrail Get-MessageTrackingLog -Start "11/6/2016 1:30:00 AM" --tz America/New_York --logs tests/data/dst-typed --format csv | cut -d, -f1,19
mailtrail search --logs tests/data/dst-typed --tz America/New_York --start "2016-11-06 01:00" --end "2016-11-06 01:30" --format csv | cut -d, -f1,19
mailtrail Get-MessageTrackingLog -Start "3/13/2016 2:30 AM" -End "3/13/2016 4:00 AM" --tz America/New_York --logs tests/data/dst-typed --format csv | cut -d, -f1,19
