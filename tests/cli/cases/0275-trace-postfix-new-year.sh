# A smart host's maillog begun on Dec 31 and going on into January
# (tests/data/postfix-newyear): each Postfix stamp takes the year nearest the
# message's tracking events, not the message's year for the file's first line
# (ny2, of 2017-01-01, was delivered "in 2018"). --syslog-year 2017 puts the
# stamps in 2017.
L="--logs tests/data/postfix-newyear/EX1 --logs tests/data/postfix-newyear/one-file"
mailtrail trace $L '<ny2@EX1.corp.lan>'; echo "exit $?"
mailtrail trace $L '<ny1@EX1.corp.lan>' '<ny2@EX1.corp.lan>' --format json |
    grep -o '"message_id":"<ny[^"]*","subject"\|"last_seen":"[^"]*"\|"deliveries":\[{"timestamp":"[^"]*"'; echo "exit $?"
mailtrail trace $L '<ny2@EX1.corp.lan>' --syslog-year 2017 | grep -E 'Seen|status='; echo "exit $?"
