# flows over a window counts each message of the window (an event in it) with its whole path, as trace
# --start/--end traces it: the message seen 14:58:47 .. 15:00:48 cut at the window's start (its RECEIVE
# before it), then at its end (its deliveries after it): RECEIVE,DEFER,DELIVER both times.
mailtrail flows --logs tests/data/seed --start 2016-08-28T14:59:00Z --end 2016-08-28T15:01:00Z; echo "start cut exit $?"
mailtrail flows --logs tests/data/seed --start 2016-08-28T14:58:00Z --end 2016-08-28T14:59:00Z --format json; echo "end cut exit $?"
# the same message as trace gives it over those windows
mailtrail trace --logs tests/data/seed --start 2016-08-28T14:59:00Z --end 2016-08-28T15:01:00Z --format json | grep -o '"message_id":"[^"]*"' | head -n 1
# only its DEFER at 14:59:48 in the window: still the whole message
mailtrail flows --logs tests/data/seed --start 2016-08-28T14:59:30Z --end 2016-08-28T14:59:50Z --format csv; echo "middle exit $?"
# no event in the window: nothing, whatever messages span it
mailtrail flows --logs tests/data/seed --start 2016-08-28T14:58:50Z --end 2016-08-28T14:59:40Z; echo "none exit $?"
