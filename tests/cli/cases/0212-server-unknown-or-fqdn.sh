# --server takes a server's folder name in any case or an FQDN whose first
# label is one (as Get-MessageTrackingLog -Server); a name no server of the
# logs has is said on stderr (it was a silent "nothing matched").
mailtrail search --logs tests/data/seed --server EX13-2.mynet.lan --count; echo "exit $?"
mailtrail search --logs tests/data/seed --server ex13-2 --count; echo "exit $?"
mailtrail search --logs tests/data/seed --server EX13-9 --count; echo "exit $?"
mailtrail report --logs tests/data/seed --server EX13-9 --section totals --format json >/dev/null; echo "exit $?"
mailtrail backpressure --logs tests/data/seed --server EX13-9 --format csv; echo "exit $?"
mailtrail sessions --logs tests/data/smtp --server EX13-9 --format csv 2>&1 >/dev/null | grep -e '--server'
mailtrail sessions --logs tests/data/smtp --server ex13-2.mynet.lan --format csv 2>/dev/null | wc -l
