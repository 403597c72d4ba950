# A log compressed by pzstd (its first frame is a skippable one) reads as the
# plain log does; tail refuses NaN for --interval and --duration (they passed
# the range checks and made tail spin, or never stop).
nofile() { python3 -c 'import json,sys
for l in sys.stdin:
    e = json.loads(l); e.pop("file"); print(json.dumps(e, sort_keys=True))'; }
a=$(mailtrail search --logs EX13-1=tests/data/pzstd/EX13-1 --format json | nofile)
b=$(mailtrail search --logs EX13-1=tests/data/seed/EX13-1/TransportRoles/Logs/MessageTracking/MSGTRK20160827-1.LOG --format json | nofile)
[ -n "$a" ] && [ "$a" = "$b" ] && echo "pzstd: the same $(printf '%s\n' "$a" | wc -l) events as the plain log"
mailtrail tail --logs tests/data/seed --interval nan --duration 1; echo "exit $?"
timeout 10 "$MT_BIN" tail --logs tests/data/seed --duration NaN; echo "exit $?"
