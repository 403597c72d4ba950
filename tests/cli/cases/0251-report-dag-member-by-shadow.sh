# One DAG member's logs, EX13-1's, and EX13-2 only the client of its RECEIVE
# of r1: EX13-1 never sends EX13-2 a message in the window. Its shadow
# redundancy says EX13-2 is a transport server of the organisation (it shadows
# g1 there, HAREDIRECT, and holds EX13-2's shadow of h1, HARECEIVE): r1 is no
# inbound mail and not received on EX13-1 (it entered on EX13-2). Without any
# shadow event (shadow-none) nothing in the logs tells EX13-2 from an outside
# host, and r1 counts as inbound (docs/report.md). SYNTHETIC:
# tests/data/report-ips.
D=tests/data/report-ips
mailtrail report --logs EX13-1=$D/shadow/EX13-1 --section totals,servers
mailtrail report --logs EX13-1=$D/shadow-none/EX13-1 --section servers --format csv
