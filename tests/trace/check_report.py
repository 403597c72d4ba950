#!/usr/bin/env python3
# check_report.py ORG REPORT_JSON -- the report's totals against the
# simulator's ground truth: messages received, recipients delivered, relayed
# out and failed (the NDRs the ground truth nests under their originals
# count as deliveries of their own). Prints "report: N passed, M failed" last.
import json
import sys

org, rep = sys.argv[1], sys.argv[2]
want = {"received": 0, "delivered": 0, "relayed_out": 0, "failed": 0}
for line in open(f"{org}/ground-truth.jsonl", encoding="utf-8"):
    m = json.loads(line)
    want["received"] += 1
    # An NDR is a message of its own to the report; the ground truth nests it.
    for r in m["recipients"] + ([m["dsn"]] if m.get("dsn") else []):
        key = {"delivered": "delivered", "relayed": "relayed_out", "failed": "failed"}.get(r["outcome"])
        if key:
            want[key] += 1
got = json.load(open(rep, encoding="utf-8"))["totals"]
bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
print(f"totals {dict((k, got.get(k)) for k in want)}; ground truth {want}")
print(f"report: {0 if bad else 1} passed, {1 if bad else 0} failed")
sys.exit(1 if bad else 0)
