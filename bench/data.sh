# Sourced by the bench scripts: bench_data MAILTRAIL SIZE makes sure
# bench/data/org-SIZE holds the synthetic organisation every bench reads
# (`mailtrail gen --size SIZE --seed 42 --days 7`: the same bytes on every
# machine), generating it when it is missing or was cut short (its
# ground-truth.jsonl is written last).
bench_data() {
    _bd=bench/data/org-$2
    if [ ! -f "$_bd/ground-truth.jsonl" ]; then
        rm -rf "$_bd"
        mkdir -p bench/data
        echo "bench: generating $2 of synthetic logs into $_bd" >&2
        "$1" gen --out "$_bd" --size "$2" --seed 42 --days 7 >&2
    fi
}
