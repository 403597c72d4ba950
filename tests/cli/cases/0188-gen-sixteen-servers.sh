# gen --servers 15 or 16 gave the 15th server the smart host's address
# (10.0.0.25): report then took messages relayed out for internal ones (0
# of 128 here). Servers are numbered around it now; the counts agree.
D=$(mktemp -d)
mailtrail gen --out "$D/g" --servers 16 --seed 3 --days 1 --messages-per-day 300 > /dev/null
echo "report: $(mailtrail report --logs "$D/g" --section totals --format csv | grep relayed_out | cut -d, -f4)"
echo "ground truth: $(grep -o '"outcome":"relayed"' "$D/g/ground-truth.jsonl" | wc -l)"
rm -rf "$D"
