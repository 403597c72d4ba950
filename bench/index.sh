#!/bin/sh
# index.sh MAILTRAIL -- the index (#6): build speed and size, re-run cost, and
# each query shape answered from the index against the same from the files.
# Writes bench/results/<date>-index.md.
#
# BENCH_SIZE (default 1G): the organisation whose tracking logs are indexed
# for the build and the shape rows. BENCH_BIG (default 10G; "" to skip): a
# larger one whose first BENCH_BIG_EVENTS (default 10000000) events' files are
# indexed for the latency rows (trace p50, sender search) "at 10 M events".
set -eu
mt=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
size=${BENCH_SIZE:-1G}
big=${BENCH_BIG-10G}
big_events=${BENCH_BIG_EVENTS:-10000000}
runs=${BENCH_RUNS:-3}
data=bench/data/org-$size
mkdir -p bench/results bench/data
. bench/data.sh
bench_data "$mt" "$size"
# --logs NAME=DIR for each server's tracking logs: the same files for both sources.
logs=""
for d in "$data"/*/TransportRoles/Logs/MessageTracking; do
    srv=$(basename "$(dirname "$(dirname "$(dirname "$d")")")")
    logs="$logs --logs $srv=$d"
done
bytes=$(find "$data" -path '*MessageTracking*' -type f -exec cat {} + | wc -c)
mb=$(echo "$bytes" | awk '{printf "%.1f", $1/1e6}')
db=bench/data/index-$size.db
out=$(mktemp)

# best wall time of $runs runs (one run when it takes over 5 s)
best_of() {
    best=""
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        /usr/bin/time -f '%e %M' -o bench/data/time.txt sh -c "$*" > bench/data/out.txt 2>/dev/null || true
        t=$(awk '{print $1}' bench/data/time.txt | tail -n 1)
        r=$(awk '{print $2}' bench/data/time.txt | tail -n 1)
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$r; fi   # the best run's RSS
        awk "BEGIN{exit !($t > 5)}" && break
    done
    echo "$best $rss"
}

find "$data" -path '*MessageTracking*' -type f -exec cat {} + > /dev/null   # warm the cache
rm -f "$db" "$db-wal" "$db-shm"
/usr/bin/time -f '%e %M' -o bench/data/time.txt "$mt" index --db "$db" $logs --quiet --no-progress
read -r build_s build_rss < bench/data/time.txt
dbsize=$(stat -c %s "$db")
/usr/bin/time -f '%e %M' -o bench/data/time.txt "$mt" index --db "$db" $logs --quiet --no-progress
read -r rerun_s rerun_rss < bench/data/time.txt
events=$("$mt" sql --db "$db" --format csv "SELECT count(*) FROM events" | tr -d '\r' | tail -n 1)
# The raw SQLite import of the same files (no parsing of fields' meaning, no
# indexes): what the database alone costs per byte.
imp=$(best_of "rm -f bench/data/b.db; (echo 'CREATE TABLE t(c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14,c15,c16,c17,c18,c19,c20,c21,c22,c23,c24,c25,c26,c27,c28,c29,c30);'; for f in \$(find $data -path '*MessageTracking*' -type f); do echo \".import --csv --skip 5 \$f t\"; done) | sqlite3 bench/data/b.db")
impsize=$(stat -c %s bench/data/b.db 2>/dev/null || echo 0)
rm -f bench/data/b.db

mid=$("$mt" sql --db "$db" --format csv "SELECT message_id FROM tracking WHERE event_id = 'DELIVER' LIMIT 1 OFFSET 5000" | tr -d '\r' | tail -n 1 | tr -d '"')
sender=$(sed -n '500p' "$data/ground-truth.jsonl" | sed 's/.*"sender":"\([^"]*\)".*/\1/')
rcpt=$("$mt" sql --db "$db" --format csv "SELECT recipient FROM recipients WHERE event_id = 'DELIVER' LIMIT 1 OFFSET 777" | tr -d '\r' | tail -n 1)
day=$("$mt" sql --db "$db" --format csv "SELECT substr(min(timestamp), 1, 10) FROM tracking" | tr -d '\r' | tail -n 1)
for shape in "trace one message|trace '$mid' --format json" \
             "search by sender|search --sender '$sender' --format json --result-size unlimited" \
             "search by recipient|search --recipients '$rcpt' --format json --result-size unlimited" \
             "one hour, count|search --start ${day}T10:00:00Z --end ${day}T11:00:00Z --count" \
             "event id over a day, count|search --event-id FAIL --start ${day}T00:00:00Z --end ${day}T23:59:59Z --count" \
             "report, whole window|report --format json" \
             "flows, whole window|flows --format json"; do
    name=${shape%%|*}; args=${shape#*|}
    raw=$(best_of "$mt $args $logs")
    rawout=$(md5sum < bench/data/out.txt | cut -c1-8)
    idx=$(best_of "$mt $args --db $db")
    idxout=$(md5sum < bench/data/out.txt | cut -c1-8)
    same=$([ "$rawout" = "$idxout" ] && echo yes || echo "NO")
    echo "$name|${raw% *}|${idx% *}|${idx#* }|$same" >> "$out"
    echo "bench: index $name raw ${raw% *}s index ${idx% *}s same=$same" >&2
done

# The smart host's Postfix log joins the index: a trace through it reads only
# the Postfix lines of its message (postfix_keys), not the whole log.
if [ -d "$data/smarthost" ]; then
    "$mt" index --db "$db" $logs --logs "smarthost=$data/smarthost" --quiet --no-progress
    via=$(grep '"smarthost_queue_id"' "$data/ground-truth.jsonl" | sed -n '1000p' | sed 's/.*"message_id":"\([^"]*\)".*/\1/')
    raw=$(best_of "$mt trace '$via' --format json $logs --logs smarthost=$data/smarthost")
    rawout=$(md5sum < bench/data/out.txt | cut -c1-8)
    idx=$(best_of "$mt trace '$via' --format json --db $db")
    idxout=$(md5sum < bench/data/out.txt | cut -c1-8)
    same=$([ "$rawout" = "$idxout" ] && echo yes || echo "NO")
    pfmb=$(du -sm "$data/smarthost" | cut -f1)
    echo "trace one message through the smart host (+$pfmb MB Postfix log)|${raw% *}|${idx% *}|${idx#* }|$same" >> "$out"
fi

# Latency at 10 M events: files of the big organisation, oldest first, until
# at least big_events events (org-10G has 1,425 events per MB of tracking log;
# 1,400 per MB errs on the side of more).
lat=""
if [ -n "$big" ]; then
    bdata=bench/data/org-$big
    if [ ! -f "$bdata/ground-truth.jsonl" ]; then
        rm -rf "$bdata"
        "$mt" gen --out "$bdata" --size "$big" --seed 42 --days 7 >&2
    fi
    bdb=bench/data/index-$big.db
    want=$(awk "BEGIN{printf \"%.0f\", $big_events / 1400 * 1e6}")
    have=0
    blogs=""
    for f in $(find "$bdata" -path '*MessageTracking*' -type f | sort -t/ -k7); do
        [ "$have" -ge "$want" ] && break
        srv=$(echo "$f" | sed "s|$bdata/\([^/]*\)/.*|\1|")
        blogs="$blogs --logs $srv=$f"
        have=$((have + $(stat -c %s "$f")))
    done
    rm -f "$bdb" "$bdb-wal" "$bdb-shm"
    /usr/bin/time -f '%e %M' -o bench/data/time.txt "$mt" index --db "$bdb" $blogs --quiet --no-progress
    read -r bbuild_s bbuild_rss < bench/data/time.txt
    bevents=$("$mt" sql --db "$bdb" --format csv "SELECT count(*) FROM events" | tr -d '\r' | tail -n 1)
    bdbsize=$(stat -c %s "$bdb")
    # 25 message ids and 25 senders spread over the index; each command timed alone.
    "$mt" sql --db "$bdb" --format csv "SELECT value FROM msgids WHERE id % (SELECT max(id) / 25 FROM msgids) = 0 LIMIT 25" | tr -d '\r' | tail -n +2 > bench/data/mids.txt
    "$mt" sql --db "$bdb" --format csv "SELECT value FROM addrs WHERE id % (SELECT max(id) / 25 FROM addrs) = 0 LIMIT 25" | tr -d '\r' | tail -n +2 > bench/data/senders.txt
    p50() {   # p50 of wall ms of "$mt ARGS ID --db" for each id in file $2
        python3 - "$mt" "$bdb" "$1" "$2" <<'EOF'
import subprocess, sys, time
mt, db, cmd, ids = sys.argv[1:5]
ts = []
for line in open(ids):
    v = line.strip().strip('"')
    if not v:
        continue
    args = [mt] + cmd.split() + [v, "--db", db]
    t = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(f"{ts[len(ts) // 2]:.1f} {ts[-1]:.1f} {len(ts)}")
EOF
    }
    tr=$(p50 "trace --format json" bench/data/mids.txt)
    se=$(p50 "search --format json --result-size unlimited --sender" bench/data/senders.txt)
    sd=$(p50 "search --format json --sender" bench/data/senders.txt)
    sc=$(p50 "search --count --sender" bench/data/senders.txt)
    # the same questions to an index already open (bench/latency.c: a long-running reader)
    lat_bin=$(dirname "$mt")/bench_latency
    tr_in="— — —"
    sd_in="— — —"
    if [ -x "$lat_bin" ]; then
        tr_in=$("$lat_bin" "$bdb" trace bench/data/mids.txt | awk '{print $2, $4, $6}')
        sd_in=$("$lat_bin" "$bdb" sender bench/data/senders.txt | awk '{print $2, $4, $6}')
    fi
    nothing=$(python3 -c "
import subprocess, time
t = time.perf_counter(); subprocess.run(['$mt', 'version'], stdout=subprocess.DEVNULL); print(f'{(time.perf_counter() - t) * 1000:.1f}')")
    lat="$bevents|$bbuild_s|$bdbsize|$have|$tr|$se|$nothing|$sd|$sc|$tr_in|$sd_in"
fi

date=$(date -u +%F)
# a second run the same day does not overwrite the first one's results
report=bench/results/$date-index.md
n=2
while [ -e "$report" ]; do
    report=bench/results/$date-index-$n.md
    n=$((n + 1))
done
{
    echo "# mailtrail bench: the index, $date"
    echo
    echo "Data: \`mailtrail gen --size $size --seed 42 --days 7\` (SYNTHETIC), the tracking logs only:"
    echo "$mb MB, $events events. Machine: $(nproc) cores. Warm cache; best of $runs runs."
    echo
    echo "## Build"
    echo
    echo "| what | wall s | MB/s of log | size MB | size / logs | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|"
    awk -v b="$bytes" -v t="$build_s" -v s="$dbsize" -v r="$build_rss" 'BEGIN{printf "| mailtrail index (first run) | %.2f | %.1f | %.1f | %.0f%% | %.1f |\n", t, b/1e6/t, s/1e6, 100*s/b, r/1024}'
    awk -v b="$bytes" -v t="$rerun_s" -v r="$rerun_rss" 'BEGIN{printf "| mailtrail index (again, nothing new) | %.2f | — | — | — | %.1f |\n", t, r/1024}'
    awk -v b="$bytes" -v t="${imp% *}" -v s="$impsize" -v r="${imp#* }" 'BEGIN{printf "| sqlite3 .import of the same CSV (no indexes, no types) | %.2f | %.1f | %.1f | %.0f%% | %.1f |\n", t, b/1e6/t, s/1e6, 100*s/b, r/1024}'
    echo
    echo "## Query shapes: from the files (--logs) and from the index (--db)"
    echo
    echo "| shape | files s | index s | files / index | index peak RSS MB | same output |"
    echo "|---|---:|---:|---:|---:|---|"
    awk -F'|' '{ r = ($3 < 0.005) ? $2/0.005 : $2/$3; printf "| %s | %.2f | %.3f | %.1f× | %.1f | %s |\n", $1, $2, $3, r, $4/1024, $5 }' "$out"
    if [ -n "$lat" ]; then
        echo
        echo "## At about 10 M events"
        echo
        echo "$lat" | awk -F'|' '{ split($5, t, " "); split($6, s, " "); split($8, d, " "); split($9, c, " ");
            split($10, ti, " "); split($11, di, " ");
            printf "Index of the oldest files of `gen --size '"$big"'`: %s events, %.0f MB of logs, built in %.0f s (%.1f MB/s), %.0f MB (%.0f%% of the logs).\n\n", $1, $4/1e6, $2, $4/1e6/$2, $3/1e6, 100*$3/$4;
            print "| question (whole command, process start included) | p50 ms | max ms | runs |";
            print "|---|---:|---:|---:|";
            printf "| trace one message-id | %s | %s | %s |\n", t[1], t[2], t[3];
            printf "| search by sender, as typed (the first 1000 events, and how many match) | %s | %s | %s |\n", d[1], d[2], d[3];
            printf "| search by sender, all events (--result-size unlimited) | %s | %s | %s |\n", s[1], s[2], s[3];
            printf "| search by sender, --count | %s | %s | %s |\n", c[1], c[2], c[3];
            printf "| (mailtrail version: process start alone) | %s | — | 1 |\n", $7;
            printf "| trace one message-id, index already open (bench/latency.c) | %s | %s | %s |\n", ti[1], ti[2], ti[3];
            printf "| search by sender as typed, index already open | %s | %s | %s |\n", di[1], di[2], di[3] }'
    fi
} > "$report"
cat "$report"
rm -f "$out"
