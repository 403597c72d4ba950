#!/bin/sh
# run.sh SECONDS -- build the libFuzzer harness with clang and fuzz the parser.
# Seeds: the test fixtures. Any crash input is copied to tests/regress/ (then
# replayed by every `make check`) and fails the run.
set -eu
secs=${1:-60}
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang not installed; skipped"
    exit 0
fi
out=build-fuzz
mkdir -p $out
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
status=0
names="msgtrk smtplog postfix iis index"
for name in $names; do
    mkdir -p fuzz/corpus-work/$name
    clang -std=c11 -D_GNU_SOURCE -O1 -g $SAN -Iinclude -Ilib -DMT_VERSION='"fuzz"' \
        fuzz/fuzz_$name.c $(ls lib/*/*.c) -lsqlite3 -lzstd -lz -lpthread -lm -o $out/fuzz_$name
    seeds=$out/seeds-$name
    rm -rf "$seeds"; mkdir -p "$seeds"
    i=0
    for f in $(find tests/data tests/regress -type f -size -64k 2>/dev/null | sort); do
        i=$((i + 1))
        # Option byte 0x00: whole-file feed (msgtrk) / 1-byte pieces (smtplog);
        # 0x0b: prefilter, small lines, 2-byte pieces / 12-byte pieces.
        { printf '\000'; cat "$f"; } > "$seeds/s$i-a"
        { printf '\013'; cat "$f"; } > "$seeds/s$i-b"
    done
    rm -f $out/crash-* $out/leak-* $out/timeout-* $out/oom-*
    set +e
    $out/fuzz_$name -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix=$out/ fuzz/corpus-work/$name "$seeds" > $out/fuzz-$name.log 2>&1
    rc=$?
    set -e
    tail -n 3 $out/fuzz-$name.log
    found=$(ls $out/crash-* $out/leak-* $out/timeout-* $out/oom-* 2>/dev/null || true)
    if [ -n "$found" ]; then
        for f in $found; do cp "$f" tests/regress/$name-$(basename "$f"); done
        echo "fuzz $name: FAILED: inputs saved under tests/regress/: $found"
        status=1
    elif [ $rc -ne 0 ]; then
        echo "fuzz $name: libFuzzer exited $rc"
        status=1
    fi
done
n=$(echo $names | wc -w)
if [ $status -eq 0 ]; then echo "fuzz: $n passed, 0 failed"; else echo "fuzz: 0 passed, 1 failed"; fi
exit $status
