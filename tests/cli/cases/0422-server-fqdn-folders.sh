# --server takes a server's name or FQDN, as Exchange's -Server does: a
# short name finds the folder named by its FQDN; an FQDN finds a folder named
# by its first label only in the domain the FQDN-named folders show (not
# another organisation's server of the same name); a short name two FQDN
# folders share is refused with both.
T=$(mktemp -d); mkdir -p "$T/a" "$T/b"
cp -r tests/data/seed/EX13-1 "$T/a/EX13-1.mynet.lan"; cp -r tests/data/seed/EX13-2 "$T/a/ex13-2"
for s in EX13-1 ex13-1.MYNET.lan EX13-2 EX13-2.mynet.lan EX13-2.other.lan EX13-1.other.lan; do
    echo "[$s] $(mailtrail search --logs "$T/a" --server "$s" --count 2>&1)"
done
cp -r tests/data/seed/EX13-1 "$T/b/EX13-1.mynet.lan"; cp -r tests/data/seed/EX13-2 "$T/b/EX13-1.other.lan"
for s in EX13-1 EX13-1.other.lan; do
    echo "[$s] $(mailtrail search --logs "$T/b" --server "$s" --count 2>&1)"
done
rm -rf "$T"
# without an FQDN-named folder the domain is not known: the first label finds it
mailtrail search --logs tests/data/seed --server EX13-2.other.lan --count; echo "exit $?"
