#!/bin/sh
# instructions.sh MAILTRAIL [OTHER_MAILTRAIL...] -- the work of flows and report
# against one strict search pass, counted in instructions (valgrind's
# callgrind: every thread, exactly), not timed.
#
# Why: on a shared 2-core VM the wall-time ratios of issues #5 and #7 move by
# 20-30 % between runs (page faults, neighbours), which hides any change
# smaller than that. Instruction counts are the same from run to run, so a
# change to flows or report shows its size at once, and the ratios
# "command / strict pass" say how far each is from the 1.5x target in CPU
# work. They are not wall time: memory stalls, page faults and the kernel's
# reads are not in them (see the session benches for those).
#
# Data: bench/data/org-$BENCH_SIZE (default 100M: ~40 s a command under
# callgrind), generated as bench/run.sh does (SYNTHETIC).
set -eu
size=${BENCH_SIZE:-100M}
data=bench/data/org-$size
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
first=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. bench/data.sh
bench_data "$first" "$size"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# count BIN ARGS... : instructions of one run
count() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" > /dev/null 2> "$tmp/err" || true
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$tmp/err" | tail -n 1
}
echo "| binary | strict pass (instructions) | flows | report | flows / strict | report / strict |"
echo "|---|---:|---:|---:|---:|---:|"
for bin in "$@"; do
    s=$(count "$bin" search --logs "$data" --event-id NO-SUCH-EVENT --count)
    f=$(count "$bin" flows --logs "$data" --format json)
    r=$(count "$bin" report --logs "$data" --format json)
    awk -v b="$bin" -v s="$s" -v f="$f" -v r="$r" \
        'BEGIN { printf "| %s | %d | %d | %d | %.2f | %.2f |\n", b, s, f, r, f / s, r / s }'
done
