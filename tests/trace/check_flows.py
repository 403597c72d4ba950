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
# Each percentage is its pattern's share of its direction, rounded to 0.1: the
# rounded shares of many small patterns (16 servers) need not sum to 100
# within 0.5, so each share is checked, and the sum within 0.05 a pattern.
total = collections.Counter()
rows = [json.loads(l) for l in open(flows, encoding="utf-8")]
for f in rows:
    total[f["direction"]] += f["messages"]
shares = all(abs(f["percent"] - 100.0 * f["messages"] / total[f["direction"]]) <= 0.051 for f in rows)
n = collections.Counter(f["direction"] for f in rows)
ok = want == got and shares and all(abs(p - 100.0) <= 0.05 * n[d] + 1e-9 for d, p in pct.items())
print(f"directions: ground truth {dict(want)}, flows {dict(got)}; percent sums {dict(pct)}")
print(f"flows: {1 if ok else 0} passed, {0 if ok else 1} failed")
sys.exit(0 if ok else 1)
