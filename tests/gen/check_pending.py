#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check_pending.py ORG PENDING_JSONL [LABEL] -- compare `mailtrail pending
# --format json` with the simulator's ground truth: the (message, recipient)
# pairs listed must be exactly those the truth leaves `deferred` or
# `in-transit` at the end of the logs, each with that state and server
# (issue #5: pending lists what entered a server and has no final event by the
# end of the logs, and deferrals with no later success). An org without a
# single such pair proves nothing, so that fails too; so does one with a smart
# host but no pair still in its queue (pending reads its maillog too).
# Prints "pending[LABEL]: N pairs match" last; exits 1 on any difference.
import json
import os
import sys


def key(mid, addr):
    return (mid.strip("<>").lower(), addr.lower())


def main():
    org, listed = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else "logs"
    want = {}
    for line in open(f"{org}/ground-truth.jsonl", encoding="utf-8"):
        m = json.loads(line)
        for r in m["recipients"]:
            if r["outcome"] in ("deferred", "in-transit"):
                want[key(m["message_id"], r["address"])] = (r["outcome"], r["server"].lower())
    got = {}
    for line in open(listed, encoding="utf-8"):
        p = json.loads(line)
        k = key(p["message_id"], p.get("recipient") or "")
        if k in got:
            print(f"listed twice: {k}")
            return 1
        got[k] = (p["state"], (p.get("server") or "").lower())
    problems = []
    for k in sorted(set(want) | set(got)):
        if k not in got:
            problems.append(f"{k}: {want[k][0]} on {want[k][1]} per ground truth, not listed")
        elif k not in want:
            problems.append(f"{k}: listed as {got[k][0]} on {got[k][1]}, ground truth has no such pair")
        elif got[k] != want[k]:
            problems.append(f"{k}: listed {got[k]}, ground truth {want[k]}")
    states = sorted(set(s for s, _ in want.values()))
    if states != ["deferred", "in-transit"]:
        problems.append(f"the org should have deferred and in-transit recipients, has {states}")
    smarthost = sum(1 for _, srv in want.values() if srv == "smarthost")
    if os.path.exists(f"{org}/smarthost/maillog") and not smarthost:
        problems.append("the org has a smart host but no recipient still in its queue")
    for p in problems[:20]:
        print("FAIL", p)
    if problems:
        print(f"pending[{label}]: {len(problems)} differences")
        return 1
    n = {s: sum(1 for v in want.values() if v[0] == s) for s in states}
    print(f"pending[{label}]: {len(want)} pairs match ({n}; {smarthost} on the smart host)")
    return 0


sys.exit(main())
