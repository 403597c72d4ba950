#!/bin/sh
# ratios.sh [-n ROUNDS] MAILTRAIL [OTHER_MAILTRAIL...] -- wall time of flows
# and report against one strict search pass (issues #5 and #7: each at most
# 1.5x), over the same generated logs in one run.
#
# A strict pass reads and parses every tracking log and matches nothing:
#   search --logs D --event-id NO-SUCH-EVENT --count
# Why interleaved rounds: on a shared VM the host's speed drifts during a
# session (session 14 saw the strict pass take 0.335 s, then 0.41 s), so the
# three commands of each binary run one after the other, round after round,
# and each round gives its own ratios. The table gives the median over the
# rounds, the best round and the worst; a claim should rest on the median.
# instructions.sh counts the same work in instructions (steady, but blind
# to memory stalls).
#
# Data: bench/data/org-$BENCH_SIZE (default 1G), generated as bench/run.sh
# does (SYNTHETIC), read once first so that every round reads from the page
# cache.
set -eu
rounds=11
if [ "${1:-}" = "-n" ]; then
    rounds=$2
    shift 2
fi
[ $# -ge 1 ] || { echo "usage: ratios.sh [-n ROUNDS] MAILTRAIL [OTHER_MAILTRAIL...]" >&2; exit 2; }
size=${BENCH_SIZE:-1G}
data=bench/data/org-$size
first=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. bench/data.sh
bench_data "$first" "$size"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run KIND BIN: one timed run, its seconds appended to $tmp/KIND.<bin number>
run() {
    kind=$1 bin=$2 n=$3
    case $kind in
    strict) set -- search --logs "$data" --event-id NO-SUCH-EVENT --count ;;
    flows) set -- flows --logs "$data" ;;
    report) set -- report --logs "$data" ;;
    esac
    t0=$(date +%s%N)
    "$bin" "$@" > /dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) >> "$tmp/$kind.$n"
}

i=0
for bin in "$@"; do
    i=$((i + 1))
    for kind in strict flows report; do
        run $kind "$bin" warm
    done
done
r=0
while [ $r -lt "$rounds" ]; do
    i=0
    for bin in "$@"; do
        i=$((i + 1))
        for kind in strict flows report; do
            run $kind "$bin" $i
        done
    done
    r=$((r + 1))
done

echo "Wall time over $data (SYNTHETIC), $rounds interleaved rounds, $(date -u +%Y-%m-%dT%H:%MZ)."
echo "Ratios are taken within each round: median (best-worst)."
echo
echo "| binary | strict median s | flows median s | report median s | flows / strict | report / strict |"
echo "|---|---:|---:|---:|---:|---:|"
i=0
for bin in "$@"; do
    i=$((i + 1))
    paste "$tmp/strict.$i" "$tmp/flows.$i" "$tmp/report.$i" | awk -v b="$bin" '
        function median(v, n,   k, j, t) {
            for (k = 2; k <= n; k++)
                for (j = k; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        { n++; s[n] = $1; f[n] = $2; r[n] = $3; fr[n] = $2 / $1; rr[n] = $3 / $1 }
        END {
            ms = median(s, n) / 1e6; mf = median(f, n) / 1e6; mr = median(r, n) / 1e6
            mfr = median(fr, n); mrr = median(rr, n)
            printf "| %s | %.3f | %.3f | %.3f | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) |\n", b, ms, mf, mr,
                   mfr, fr[1], fr[n], mrr, rr[1], rr[n]
        }'
done
