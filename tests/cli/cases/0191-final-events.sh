# BADMAIL, MODERATORREJECT and MODERATIONEXPIRE end a message as FAIL does:
# failed, not unknown; pending lists none of them; flows agrees.
# SYNTHETIC: tests/data/final-events/README.md.
mailtrail trace --all --logs tests/data/final-events --format json | python3 -c '
import json, sys
for l in sys.stdin:
    t = json.loads(l)
    print(t["message_id"], [(r["outcome"], r["server"]) for r in t["recipients"]])'
mailtrail pending --logs tests/data/final-events; echo "pending exit $?"
mailtrail flows --logs tests/data/final-events --format csv
