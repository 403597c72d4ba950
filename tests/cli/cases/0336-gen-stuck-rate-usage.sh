# --stuck-rate counts per thousand: more than 1000 or not a number is a usage error.
mailtrail gen --out /nonexistent/never --stuck-rate 1001
echo "rc $?"
mailtrail gen --out /nonexistent/never --stuck-rate lots
echo "rc $?"
mailtrail gen --help | grep -A5 -- --stuck-rate
