# Tracing many messages picked by a filter reads their events in one pass
# (mt_trace_gather_many): the result must be each message's own trace, in
# the same order -- NDRs, smart-host hops and all. SYNTHETIC data.
D=$(mktemp -d)
mailtrail gen --out "$D/org" --servers 2 --messages-per-day 2000 --seed 54 > /dev/null
# a sender with a failed message: the NDRs are not picked themselves (their
# sender is the system's), so they come only through their reference
S=$(python3 -c '
import json, sys, collections
msgs = [json.loads(l) for l in open(sys.argv[1])]
n = collections.Counter(m["sender"] for m in msgs)
failed = {m["sender"] for m in msgs if any(r["outcome"] == "failed" for r in m["recipients"])}
print(max(sorted(failed), key=lambda s: n[s]))' "$D/org/ground-truth.jsonl")
mailtrail trace --logs "$D/org" --sender "$S" --format json > "$D/many"
echo "exit $?"
grep -o '^{"message_id":"[^"]*"' "$D/many" | cut -d'"' -f4 > "$D/ids"
wc -l < "$D/ids"
while read -r id; do mailtrail trace --logs "$D/org" "$id" --format json; done < "$D/ids" > "$D/each"
cmp "$D/many" "$D/each" && echo "one pass = one trace each"
grep -c '"ndr_message_id":"<' "$D/many" | sed 's/^0$/no NDR!/; s/^[1-9][0-9]*$/NDRs linked/'
grep -c '"server":"smarthost' "$D/many" | sed 's/^0$/no smart host!/; s/^[1-9][0-9]*$/smart-host hops/'
rm -rf "$D"
