# A total-bytes that is no whole number of bytes up to 2^40 counts as no size:
# "1e3" was 1 byte, 2^64 its first 19 digits, and the sum overflowed
# (bytes_received 13689348814741910364). SYNTHETIC: tests/data/hostile-text/README.md.
mailtrail report --logs tests/data/hostile-text --section totals --format json 2>/dev/null | grep -o '"bytes_received":[0-9]*'
