#!/usr/bin/env python3
# check_trace.py ORG TRACE_JSONL -- compare `mailtrail trace --all --format json`
# with the simulator's ground truth: each message's path (servers in order,
# "smarthost" for the hand-off beyond them), the smart host's queue id
# followed into its own maillog, and each recipient's outcome and final
# server. Prints "trace: N passed, M failed" last; exits 1 on failure.
import json
import sys

def main():
    org, traced = sys.argv[1], sys.argv[2]
    truth = {}
    for line in open(f"{org}/ground-truth.jsonl", encoding="utf-8"):
        m = json.loads(line)
        truth[m["message_id"].strip("<>").lower()] = m
    ours = {}
    for line in open(traced, encoding="utf-8"):
        t = json.loads(line)
        ours[t["message_id"].strip("<>").lower()] = t
    passed = failed = 0
    shown = 0
    for mid, m in truth.items():
        problems = []
        t = ours.get(mid)
        if t is None:
            problems.append("not traced")
        else:
            path = []
            for h in t["hops"]:
                name = h["server"]
                if h["link"]["kind"] == "relay":
                    continue          # beyond the smart host: the ground truth stops there
                if h["link"]["kind"] == "queued-as":
                    name = "smarthost" if "smarthost" in name.lower() else None
                    qid = m.get("smarthost_queue_id")
                    pf = h.get("postfix")
                    # An entry the smart host has not tried yet has no deliveries.
                    tried = any(r["outcome"] != "in-transit" for r in m["recipients"])
                    if qid and (not pf or pf["queue_id"] != qid or (tried and not pf["deliveries"])):
                        problems.append(f"smart host queue {qid} not followed into its maillog")
                if name and (not path or path[-1] != name):
                    path.append(name)
            if path != m["servers"]:
                problems.append(f"path {path} != {m['servers']}")
            got = {r["address"].lower(): r for r in t["recipients"]}
            for r in m["recipients"]:
                g = got.get(r["address"].lower())
                if g is None:
                    problems.append(f"{r['address']}: missing")
                    continue
                # Trace names the smart host's hop by its host name.
                server = g["server"].lower()
                if r["server"] == "smarthost" and "smarthost" in server:
                    server = "smarthost"
                if r["outcome"] == "in-transit":
                    # Nothing decided its fate yet: trace says unknown, on
                    # the server holding it (where it was last seen).
                    if g["outcome"] != "unknown" or server != r["server"].lower():
                        problems.append(f"{r['address']}: {g['outcome']}@{g['server']} != unknown (in transit on {r['server']})")
                elif g["outcome"] != r["outcome"] or server != r["server"].lower():
                    problems.append(f"{r['address']}: {g['outcome']}@{g['server']} != {r['outcome']}@{r['server']}")
        if problems:
            failed += 1
            if shown < 10:
                print(f"FAIL {m['message_id']} ({m['direction']}): " + "; ".join(problems))
                shown += 1
        else:
            passed += 1
    print(f"trace: {passed} passed, {failed} failed")
    return 1 if failed else 0

sys.exit(main())
