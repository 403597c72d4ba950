# activesync given logs that are not IIS logs (a message tracking log, SMTP
# protocol logs, a Postfix log, all named .log): one line each saying so, and
# exit 3 -- not a complaint for every line and exit 0 or 1. IIS logs beside
# them are still read. The headerless protocol log found in the folder
# smtp/NOHDR is not named, so it is no input and left without a word (0321).
mailtrail activesync --output-path "$(mktemp -d)" tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG tests/data/smtp/NOHDR tests/data/postfix/postfix.log tests/data/iis/known/EX1/u_ex240304.log > /dev/null
echo "exit $?"
