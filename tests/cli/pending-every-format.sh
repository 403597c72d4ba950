# Sourced by CLI cases: pending_every_format ARGS... runs `pending` over the
# logs ARGS name in each format (table with its exit code, CSV, JSON), then
# indexes them and checks that `pending --db` prints the same in each.
pending_every_format() {
    mailtrail pending "$@"; echo "exit $?"
    mailtrail pending "$@" --format csv
    mailtrail pending "$@" --format json
    _pd=$(mktemp -d)
    mailtrail index --db "$_pd/i.db" "$@" --quiet
    for _f in table csv json; do
        mailtrail pending --db "$_pd/i.db" --format $_f > "$_pd/a"; mailtrail pending "$@" --format $_f > "$_pd/b"
        cmp "$_pd/a" "$_pd/b" && echo "index: the same $_f"
    done
    rm -rf "$_pd"
}
