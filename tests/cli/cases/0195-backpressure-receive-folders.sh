# One server with two SmtpReceive folders (Exchange 2013+: FrontEnd and Hub),
# each read as its own series: refusals at 09:00 and 09:01 (Hub) and 09:00:30
# and 12:00 (FrontEnd) are two windows, 09:00-09:01 with three sessions and
# 12:00 with one (the Hub's sessions were put into the 12:00 window, read
# after it). The same with the two folders given as two copies of one server,
# and from the index. SYNTHETIC: tests/data/backpressure-folders/README.md.
L=tests/data/backpressure-folders/SRV/TransportRoles/Logs
mailtrail backpressure --logs tests/data/backpressure-folders --format csv; echo "exit $?"
mailtrail backpressure --logs SRV=$L/Hub --logs SRV=$L/FrontEnd --format csv; echo "exit $?"
D=$(mktemp -d); mailtrail index --db "$D/i.db" --logs tests/data/backpressure-folders --quiet
mailtrail backpressure --db "$D/i.db" --format json; echo "db exit $?"
rm -rf "$D"
