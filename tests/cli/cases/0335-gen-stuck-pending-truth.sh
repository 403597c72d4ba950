# gen --stuck-rate leaves some recipients deferred (busy at every retry) or in
# transit (received, not delivered) when the logs end. pending lists exactly
# the pairs the ground truth says so, each with its state; without the option
# the same seed has none of them.
D=$(mktemp -d)
mailtrail gen --out "$D/g" --seed 5 --messages-per-day 400 --stuck-rate 500 > /dev/null
echo "ground truth:"
grep -o '"address":"[^"]*","outcome":"\(deferred\|in-transit\)"' "$D/g/ground-truth.jsonl" |
    sed 's/.*"outcome":"//; s/"$//' | sort | uniq -c
echo "pending:"
mailtrail pending --logs "$D/g" --format csv | cut -d, -f3 | sed 1d | sort | uniq -c
grep -c '^--stuck-rate 500' "$D/g/README"
mailtrail gen --out "$D/h" --seed 5 --messages-per-day 400 > /dev/null
echo "without --stuck-rate: $(grep -c 'in-transit' "$D/h/ground-truth.jsonl")"
rm -rf "$D"
