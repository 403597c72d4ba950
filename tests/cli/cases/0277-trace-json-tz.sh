# trace --format json prints its times in --tz, as its text and
# search/pending --format json do: the message's first/last seen, the
# events, the Postfix deliveries and the recipients' (UTC without --tz).
L="--logs tests/data/postfix-newyear/EX1 --logs tests/data/postfix-newyear/one-file"
mailtrail trace $L '<ny1@EX1.corp.lan>' --format json --tz Europe/Berlin | grep -o '"[a-z_]*":"20[0-9][^"]*"'; echo "exit $?"
mailtrail trace $L '<ny1@EX1.corp.lan>' --format json | grep -o '"[a-z_]*":"20[0-9][^"]*"'; echo "exit $?"
