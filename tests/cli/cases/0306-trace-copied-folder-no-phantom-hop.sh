# A copied folder read twice made trace show the copy as a hop of its own
# (EX13-1 -> EX13-1-copy -> EX13-2, the same events on both): read once, the
# path is the message's own.
D=tests/data/copied-logs
mailtrail trace --logs $D --subject INBD-003; echo "trace: exit $?"
# every message's hops, by server
mailtrail trace --logs $D --all --format json 2>/dev/null | while IFS= read -r l; do
    printf '%s\n' "$l" | grep -o '{"server":"[^"]*","events"' | cut -d'"' -f4 | paste -sd' ' -
done | sort | uniq -c
