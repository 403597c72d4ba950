# One DAG member's logs: what it hands to the other member through the
# intra-organisation connector stays inside (not relayed out, next hop not
# external), and what it receives from that member is no new mail (not
# received, not inbound), even before its first hand-off to it. The same
# numbers as the whole DAG's logs with --server. SYNTHETIC: tests/data/report-hosts.
D=tests/data/report-hosts/dag
mailtrail report --logs EX13-1=$D/EX13-1 --section totals,servers,hops
mailtrail report --logs EX13-2=$D/EX13-2 --section totals,servers,hops
T=$(mktemp)
for s in EX13-1 EX13-2; do
    mailtrail report --logs $s=$D/$s --format csv > "$T"
    mailtrail report --logs $D --server $s --format csv | cmp - "$T" && echo "$s alone = --server $s"
done
rm -f "$T"
mailtrail report --logs $D --section totals --format csv
