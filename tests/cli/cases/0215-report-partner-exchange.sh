# EX2 sends to and receives from mail.partner.com, another organisation's
# Exchange (its reply carries [InternalId=N, Hostname=H]: that alone is no
# sign of ours), before MAIL's own events (read later) say MAIL is
# MAIL.corp.example; MAIL hands a message to EX2. The names the whole window
# says decide, whatever the threads or the index. SYNTHETIC: tests/data/report-hosts.
D=tests/data/report-hosts/partner-exchange
mailtrail report --logs $D --section totals,servers,hops
T=$(mktemp -d)
mailtrail report --logs $D --format csv --threads 1 > "$T/1"
mailtrail report --logs $D --format csv --threads 2 | cmp - "$T/1" && echo "2 threads = 1 thread"
mailtrail index --db "$T/x.db" --logs $D --quiet
mailtrail report --db "$T/x.db" --format csv | cmp - "$T/1" && echo "--db = --logs"
rm -rf "$T"
