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
mkdir -p $out fuzz/corpus-work
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
clang -std=c11 -D_GNU_SOURCE -O1 -g $SAN -Iinclude -Ilib -DMT_VERSION='"fuzz"' \
    fuzz/fuzz_msgtrk.c $(ls lib/*/*.c) -lzstd -lz -lpthread -lm -o $out/fuzz_msgtrk
seeds=$out/seeds
rm -rf "$seeds"; mkdir -p "$seeds"
i=0
for f in $(find tests/data tests/regress -type f -size -64k 2>/dev/null | sort); do
    i=$((i + 1))
    # Option byte 0x00: whole-file feed; 0x0b: prefilter, small lines, 2-byte pieces.
    { printf '\000'; cat "$f"; } > "$seeds/s$i-a"
    { printf '\013'; cat "$f"; } > "$seeds/s$i-b"
done
rm -f crash-* leak-* timeout-* oom-*
set +e
$out/fuzz_msgtrk -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix=$out/ fuzz/corpus-work "$seeds" > $out/fuzz.log 2>&1
rc=$?
set -e
tail -n 12 $out/fuzz.log
found=$(ls $out/crash-* $out/leak-* $out/timeout-* $out/oom-* 2>/dev/null || true)
if [ -n "$found" ]; then
    for f in $found; do cp "$f" tests/regress/msgtrk-$(basename "$f"); done
    echo "fuzz: FAILED: inputs saved under tests/regress/: $found"
    exit 1
fi
[ $rc -eq 0 ] || { echo "fuzz: libFuzzer exited $rc"; exit 1; }
echo "fuzz: 1 passed, 0 failed"
