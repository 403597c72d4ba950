# total-bytes and recipient-count are JSON numbers only when JSON allows them as
# written: "0042" (a leading zero) stays a string, nothing is replaced by null.
mailtrail search --logs tests/data/index --format json --result-size unlimited | grep -o '"total_bytes":[^,]*,"recipient_count":[^,]*' | sort | uniq -c
