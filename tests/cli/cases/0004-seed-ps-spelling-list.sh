mailtrail Get-MessageTrackingLog -Server EX13-2 -Start "8/27/2016 10:45:00 PM" -End "8/27/2016 11:00:00 PM" --tz America/New_York --logs tests/data/seed --format list
