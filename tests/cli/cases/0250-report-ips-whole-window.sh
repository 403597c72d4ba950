# Our servers' addresses are the window's, as their names are, not known
# only from a server's first SMTP RECEIVE on. HUB2 hands m1 to HUB1 by address
# (10.0.0.11) a second before HUB1's first RECEIVE: not relayed out, next hop
# not external. HUB1 receives m1 from 10.0.0.12 at the very millisecond of
# HUB2's first RECEIVE: not inbound (it was, or not, by which server's files
# came first). The same report with 1 or 2 threads and with HUB2's files
# first (named ZHUB1, HUB1 sorts after HUB2). SYNTHETIC: tests/data/report-ips.
D=tests/data/report-ips/by-ip
mailtrail report --logs HUB1=$D/HUB1 --logs HUB2=$D/HUB2 --section totals,servers,hops
T=$(mktemp -d)
mailtrail report --logs HUB1=$D/HUB1 --logs HUB2=$D/HUB2 --threads 1 --format csv | sort > "$T/ref"
for t in 1 2; do
    mailtrail report --logs HUB1=$D/HUB1 --logs HUB2=$D/HUB2 --threads $t --format csv | sort > "$T/a"
    mailtrail report --logs HUB2=$D/HUB2 --logs ZHUB1=$D/HUB1 --threads $t --format csv |
        sed 's/ZHUB1/HUB1/g' | sort > "$T/b"
    cmp "$T/a" "$T/ref" && echo "threads $t: HUB1 first = the reference"
    cmp "$T/b" "$T/ref" && echo "threads $t: HUB2 first = the reference"
done
rm -rf "$T"
