#!/usr/bin/env python3
# check_flows.py ORG FLOWS_JSONL -- the messages `mailtrail flows` counts per
# direction must equal the simulator's ground truth (NDRs, which the ground
# truth nests under their original, are left out of the comparison), and the
# percentages of each direction must add up to 100.
import collections
import json
import sys

org, flows = sys.argv[1], sys.argv[2]
want = collections.Counter(json.loads(l)["direction"] for l in open(f"{org}/ground-truth.jsonl", encoding="utf-8"))
got = collections.Counter()
pct = collections.defaultdict(float)
for line in open(flows, encoding="utf-8"):
    f = json.loads(line)
    pct[f["direction"]] += f["percent"]
    if not f["path"].startswith("DSN"):
        got[f["direction"]] += f["messages"]
ok = want == got and all(abs(p - 100.0) < 0.5 for p in pct.values())
print(f"directions: ground truth {dict(want)}, flows {dict(got)}; percent sums {dict(pct)}")
print(f"flows: {1 if ok else 0} passed, {0 if ok else 1} failed")
sys.exit(0 if ok else 1)
