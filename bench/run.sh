#!/bin/sh
# run.sh MAILTRAIL -- mailtrail against the tools people use, on the same
# generated files, in one run. Writes bench/results/<date>.md.
#
# BENCH_SIZE (default 1G) sets the size of the generated tracking logs;
# BENCH_RUNS (default 3) how often each command runs (the best is kept: a warm
# cache is what we compare). Every peer runs on exactly the same files.
set -eu
mt=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
size=${BENCH_SIZE:-1G}
runs=${BENCH_RUNS:-3}
data=bench/data/org-$size
mkdir -p bench/results
. bench/data.sh
bench_data "$mt" "$size"
# The tracking logs only: peers are given exactly these files.
find "$data" -path '*MessageTracking*' -name 'MSGTRK*' -type f | sort > bench/data/files.txt
bytes=$(xargs cat < bench/data/files.txt | wc -c)
mb=$(echo "$bytes" | awk '{printf "%.1f", $1/1e6}')
pbytes=$(find "$data" -path '*ProtocolLog*' -type f -exec cat {} + | wc -c)
pmb=$(echo "$pbytes" | awk '{printf "%.1f", $1/1e6}')
cat $(cat bench/data/files.txt) > /dev/null   # warm the cache

# A sender with few messages (selective), the busiest day, one hour of it.
sender=$(sed -n '500p' "$data/ground-truth.jsonl" | sed 's/.*"sender":"\([^"]*\)".*/\1/')
day=$(head -n 1 "$data/ground-truth.jsonl" | sed 's/.*"time":"\([0-9-]*\)T.*/\1/')
[ -n "$day" ] || day=$(sed -n 's/^\([0-9-]*\)T.*/\1/p' $(head -n 1 bench/data/files.txt) | head -n 1)
next=$(date -u -d "$day + 1 day" +%F)
hour_start="${day}T10:00:00.000Z"
hour_end="${day}T11:00:00.000Z"

results=$(mktemp)
# measure NAME SHAPE CMD... : best wall time and peak RSS of $runs runs
measure() {
    name=$1; shape=$2; shift 2
    best=""; rss=0; out=""
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        /usr/bin/time -f '%e %M' -o bench/data/time.txt sh -c "$*" > bench/data/out.txt 2>/dev/null || true
        t=$(awk '{print $1}' bench/data/time.txt | tail -n 1)
        m=$(awk '{print $2}' bench/data/time.txt | tail -n 1)
        out=$(tail -n 1 bench/data/out.txt | tr -d ' \n' | cut -c1-20)
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
        # A run of over 5 s is not noise-bound: once is enough.
        awk "BEGIN{exit !($t > 5)}" && break
    done
    echo "$shape|$name|$best|$rss|$out" >> "$results"
    echo "bench: $shape $name ${best}s ${rss}KB -> $out" >&2
}
F='$(cat bench/data/files.txt)'
py=bench/peers/csv_filter.py
T1=$(echo "$hour_start" | cut -c1-19); T2=$(echo "$hour_end" | cut -c1-19)

proto='$(find '"$data"' -path "*ProtocolLog*" -type f | sort)'
iis='$(find '"$data"' -path "*W3SVC*" -name "*.log" -type f | sort)'
ibytes=$(find "$data" -path '*W3SVC*' -name '*.log' -type f -exec cat {} + | wc -c)
for shape in ${BENCH_SHAPES:-selective broad window parse sessions}; do
    case $shape in
    selective)
        measure grep $shape "LC_ALL=C grep -F -c -h '$sender' $F | awk '{s+=\$1} END{print s}'"
        measure "ripgrep (2 threads)" $shape "rg -F -c --no-filename '$sender' $F | awk '{s+=\$1} END{print s}'"
        measure "mailtrail (1 thread)" $shape "$mt search --logs $data --sender '$sender' --count --threads 1"
        measure mailtrail $shape "$mt search --logs $data --sender '$sender' --count"
        measure "mailtrail json out" $shape "$mt search --logs $data --sender '$sender' --result-size unlimited --format json | wc -l"
        measure "python csv" $shape "python3 $py sender '$sender' $F"
        measure miller $shape "mlr --icsv --implicit-csv-header --headerless-csv-output --skip-comments --allow-ragged-csv-input filter '\$20 == \"$sender\"' then count $F"
        ;;
    broad)
        measure grep $shape "LC_ALL=C grep -F -c -h ',DELIVER,' $F | awk '{s+=\$1} END{print s}'"
        measure "ripgrep (2 threads)" $shape "rg -F -c --no-filename ',DELIVER,' $F | awk '{s+=\$1} END{print s}'"
        measure "mailtrail (1 thread)" $shape "$mt search --logs $data --event-id DELIVER --start ${day}T00:00:00Z --end ${next}T00:00:00Z --count --threads 1"
        measure mailtrail $shape "$mt search --logs $data --event-id DELIVER --start ${day}T00:00:00Z --end ${next}T00:00:00Z --count"
        measure "python csv" $shape "python3 $py event DELIVER $F"
        measure miller $shape "mlr --icsv --implicit-csv-header --headerless-csv-output --skip-comments --allow-ragged-csv-input filter '\$9 == \"DELIVER\"' then count $F"
        ;;
    window)
        measure grep $shape "LC_ALL=C grep -c -h '^${day}T10:' $F | awk '{s+=\$1} END{print s}'"
        measure "ripgrep (2 threads)" $shape "rg -c --no-filename '^${day}T10:' $F | awk '{s+=\$1} END{print s}'"
        measure "mailtrail (1 thread)" $shape "$mt search --logs $data --start $hour_start --end $hour_end --count --threads 1"
        measure mailtrail $shape "$mt search --logs $data --start $hour_start --end $hour_end --count"
        measure "python csv" $shape "python3 $py window $T1 $T2 $F"
        ;;
    sessions)
        # SMTP protocol logs: sessions rebuilt; grep counts the disconnect lines.
        measure grep $shape "LC_ALL=C grep -c -h ',-,' $proto | awk '{s+=\$1} END{print s}'"
        measure "mailtrail sessions" $shape "$mt sessions --logs $data --format csv | tail -n +2 | wc -l"
        ;;
    activesync)
        # IIS logs: the six Export-ActiveSyncLog CSVs; grep counts the ActiveSync requests.
        mkdir -p bench/data/eas
        measure grep $shape "LC_ALL=C grep -c -h -i 'Microsoft-Server-ActiveSync' $iis | awk '{s+=\$1} END{print s}'"
        measure "mailtrail (1 thread)" $shape "$mt activesync --threads 1 --use-gmt --output-path bench/data/eas $iis && tail -n +2 bench/data/eas/Users.csv | wc -l"
        measure mailtrail $shape "$mt activesync --use-gmt --output-path bench/data/eas $iis && tail -n +2 bench/data/eas/Users.csv | wc -l"
        ;;
    parse)
        # Every field of every line: the full parse, no prefilter, nothing skipped.
        measure "mailtrail (1 thread)" $shape "$mt search --logs $data --event-id NO-SUCH-EVENT --count --threads 1"
        measure mailtrail $shape "$mt search --logs $data --event-id NO-SUCH-EVENT --count"
        measure "python csv" $shape "python3 $py parse $F"
        measure "sqlite3 .import + SELECT" $shape "rm -f bench/data/b.db; (echo 'CREATE TABLE t(c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14,c15,c16,c17,c18,c19,c20,c21,c22,c23,c24,c25,c26,c27,c28,c29,c30);'; for f in $F; do echo \".import --csv --skip 5 \$f t\"; done; echo \"SELECT count(*) FROM t WHERE c9='NO-SUCH-EVENT';\") | sqlite3 bench/data/b.db"
        ;;
    esac
done

# Memory against input size: the same searches over organisations of other
# sizes (BENCH_SCALE_SIZES, default 100M; 10G needs about 40 GB of disk, since
# the protocol and IIS logs come along).
scale=$(mktemp)
scale_sizes="${BENCH_SCALE_SIZES:-100M} $size"
# A partial run (BENCH_SHAPES) measures memory only when asked to.
[ -n "${BENCH_SHAPES:-}" ] && [ -z "${BENCH_SCALE_SIZES:-}" ] && scale_sizes=""
for ssize in $scale_sizes; do
    sdata=bench/data/org-$ssize
    bench_data "$mt" "$ssize"
    sbytes=$(find "$sdata" -path '*MessageTracking*' -name 'MSGTRK*' -type f -exec cat {} + | wc -c)
    for what in "full parse, count|--event-id NO-SUCH-EVENT --count" \
                "every event as JSON|--result-size unlimited --format json"; do
        label=${what%%|*}; args=${what#*|}
        /usr/bin/time -f '%e %M' -o bench/data/time.txt sh -c "$mt search --logs $sdata $args > /dev/null" 2>/dev/null || true
        echo "$ssize|$sbytes|$label|$(cat bench/data/time.txt | tail -n 1)" >> "$scale"
        echo "bench: scale $ssize $label $(tail -n 1 bench/data/time.txt)" >&2
    done
done

date=$(date -u +%F)
report=bench/results/$date.md
[ -n "${BENCH_SHAPES:-}" ] && report=bench/results/$date-$(echo "$BENCH_SHAPES" | tr ' ' '-').md
{
    echo "# mailtrail bench, $date"
    echo
    echo "Data: \`mailtrail gen --size $size --seed 42 --days 7\` (SYNTHETIC), $mb MB of tracking logs in"
    echo "$(wc -l < bench/data/files.txt) files. Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)."
    echo "Warm cache; best of $runs runs; wall time. Sender: \`$sender\`; day $day; hour ${day}T10."
    echo "The last column is the tool's own count, to show that they agree."
    echo
    [ -n "${BENCH_SHAPES:-}" ] && echo "Shapes run: $BENCH_SHAPES. For \`sessions\`, MB/s is of the protocol logs ($pmb MB); for \`activesync\`, of the IIS logs ($(echo "$ibytes" | awk '{printf "%.1f", $1/1e6}') MB)." && echo
    echo "| shape | tool | wall s | MB/s | peak RSS MB | × grep time | result |"
    echo "|---|---|---:|---:|---:|---:|---|"
    awk -F'|' -v bytes="$bytes" -v pbytes="$pbytes" -v ibytes="$ibytes" '
        { shape=$1; t=$3+0; if ($2=="grep") g[shape]=t; rows[NR]=$0 }
        END { for (i=1;i<=NR;i++) { split(rows[i],f,"|"); t=f[3]+0; if (t<0.005) t=0.005;
              ratio = (f[1] in g) ? sprintf("%.2f", t/(g[f[1]]<0.005?0.005:g[f[1]])) : "—";
              b = (f[1] == "sessions") ? pbytes : (f[1] == "activesync") ? ibytes : bytes;
              printf "| %s | %s | %.2f | %.0f | %.1f | %s | %s |\n", f[1], f[2], f[3], b/1e6/t, f[4]/1024, ratio, f[5] } }' "$results"
    if [ -s "$scale" ]; then
    echo
    echo "Peak memory against input size (mailtrail, 2 threads):"
    echo
    echo "| generated | tracking logs MB | search | wall s | MB/s | peak RSS MB |"
    echo "|---|---:|---|---:|---:|---:|"
    fi
    awk -F'|' '{ split($4, t, " "); printf "| %s | %.0f | %s | %.2f | %.0f | %.1f |\n", $1, $2/1e6, $3, t[1], $2/1e6/(t[1]<0.005?0.005:t[1]), t[2]/1024 }' "$scale"
} > "$report"
cat "$report"
rm -f "$results" "$scale"
