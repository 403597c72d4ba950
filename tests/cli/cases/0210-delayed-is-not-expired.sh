# 4.4.7 on a 4xx reply is a delay, still retried; only a 5xx with it (550
# 4.4.7 QUEUE.Expired, or worded otherwise) means the message expired and
# bounces. 451 4.4.7 was explained as "delivery gave up".
# SYNTHETIC: tests/data/delayed/README.md.
for m in d1 d2 d3; do
    mailtrail trace "<$m@x.com>" --logs tests/data/delayed | grep -e '->'
done
mailtrail report --logs tests/data/delayed --format json | grep -o '"status": *"[45]5[01] 4.4.7"[^}]*"explanation": *"[^"]*"'
