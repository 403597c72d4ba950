# pending over a window: the window's messages that have no final event by the end of the logs, not of
# the window. The message deferred at 14:58:48 and 14:59:48 was delivered at 15:00:48: not pending, even
# for a window that ends before its delivery.
mailtrail pending --logs tests/data/seed --start 2016-08-28T14:58:00Z --end 2016-08-28T15:00:00Z; echo "deferred then delivered exit $?"
mailtrail pending --logs tests/data/seed --end 2016-08-28T14:59:00Z --format csv; echo "open start exit $?"
