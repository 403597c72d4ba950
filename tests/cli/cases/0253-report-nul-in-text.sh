# A NUL in a subject or a sender: the report showed text only up to it (C
# strings), and the large list took the rest of the sender for the subject.
# The whole text now, the NUL as U+FFFD, in text, CSV and JSON alike; with a
# message id (the message's record) and without (counted as it comes).
# SYNTHETIC: tests/data/report-nul/README.md.
L=tests/data/report-nul
mailtrail report --logs $L --large 10K --section senders,sizes
mailtrail report --logs $L --large 10K --section sizes --format csv | grep '^large'
mailtrail report --logs $L --large 10K --section sizes --format json | python3 -c '
import json, sys
for l in json.load(sys.stdin)["large_messages"]: print(ascii(l["sender"]), ascii(l["subject"]))'
