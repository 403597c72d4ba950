# A Postfix recipient still deferred when qmgr gave up ("status=expired,
# returned to sender") is failed, and its explanation says so: it expired
# after its retries and was returned to the sender, with why it never got
# through (the last deferral's verdict, or its reason as logged when that has
# no reply code). It was the last deferral's ("... the sender will retry"),
# or none. Text and JSON. SYNTHETIC: tests/data/postfix-expired-notices/README.md;
# then the real Postfix 3.7 log (tests/data/postfix/, message #21).
mailtrail trace --logs tests/data/postfix-expired-notices --syslog-year 2016 '<EXP-0001@mynet.example>' |
    sed -n '/^Recipients/,$p'
mailtrail trace --logs tests/data/postfix-expired-notices --syslog-year 2016 '<EXP-0001@mynet.example>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*"\|"explanation":"[^"]*"'
mailtrail trace --logs tests/data/postfix --syslog-year 2026 '<20261122072825.010453@vm>' --format json |
    grep -o '"address":"[^"]*","outcome":"[^"]*"\|"status":"connect[^"]*","explanation":"[^"]*"'
