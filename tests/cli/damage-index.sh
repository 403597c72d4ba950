# damage-index.sh -- sourced by CLI cases: damage_index INDEX TABLE
# overwrites the first 32 bytes of TABLE's root page with 0xFF (no b-tree
# page starts so: SQLite finds the page corrupt when a read loads it). The
# page is found from the index itself (sqlite_master, pragma_page_size), so
# the damage is the same on every run and follows the schema if it changes.
damage_index() {
    _page=$(mailtrail sql --db "$1" --format csv "SELECT rootpage FROM sqlite_master WHERE name = ?1" "$2" |
        sed -n 2p | tr -d '\r')
    _size=$(mailtrail sql --db "$1" --format csv "SELECT page_size FROM pragma_page_size" | sed -n 2p | tr -d '\r')
    head -c 32 /dev/zero | tr '\0' '\377' |
        dd of="$1" bs=1 seek=$(( (_page - 1) * _size )) conv=notrunc 2>/dev/null
}
