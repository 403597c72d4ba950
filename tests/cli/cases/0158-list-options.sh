# "a,b" in a repeatable option means a and b, as repeating it does, in every
# command that has one (PowerShell's -Recipients a,b arrives as one word);
# blanks around the items do not count. Each pair below must agree, and find
# something: sessions, trace and tail took "a,b" as one address before.
same() {   # same WHAT OUT1 OUT2
    if [ "$2" = "$3" ]; then echo "$1: a,b = a + b ($(printf '%s\n' "$2" | grep -c .) lines)"; else echo "$1: DIFFERENT"; fi
}
a=$(mailtrail sessions --logs tests/data/smtp --recipient 'alannah.shaw@mynet.lan , ap@contoso.example' --format csv 2>/dev/null)
b=$(mailtrail sessions --logs tests/data/smtp --recipients alannah.shaw@mynet.lan --recipient ap@contoso.example --format csv 2>/dev/null)
same "sessions --recipient" "$a" "$b"; printf '%s\n' "$a" | cut -d, -f1,2,13
a=$(mailtrail sessions --logs tests/data/smtp --server 'EX13-2,NOHDR' --format csv 2>/dev/null)
b=$(mailtrail sessions --logs tests/data/smtp --server EX13-2 --server NOHDR --format csv 2>/dev/null)
same "sessions --server" "$a" "$b"
a=$(mailtrail trace --logs smarthost=tests/data/postfix --syslog-year 2026 --recipients 'dave@partner.test,BUSY@partner.test' --format dot 2>&1)
b=$(mailtrail trace --logs smarthost=tests/data/postfix --syslog-year 2026 --recipient dave@partner.test --recipient BUSY@partner.test --format dot 2>&1)
same "trace --recipient" "$a" "$b"
a=$(mailtrail tail --logs tests/data/seed --from-start --duration 0.2 --recipient 'mynet.test02@gmail.com,nosuch.user@mynet.lan' --format csv 2>&1)
b=$(mailtrail tail --logs tests/data/seed --from-start --duration 0.2 --recipients mynet.test02@gmail.com --recipients nosuch.user@mynet.lan --format csv 2>&1)
same "tail --recipient" "$a" "$b"; printf '%s\n' "$a" | cut -d, -f1
a=$(mailtrail search --logs tests/data/seed --server 'EX13-2, NOSUCH' --count 2>&1)
b=$(mailtrail search --logs tests/data/seed --server EX13-2 --server NOSUCH --count 2>&1)
same "search --server" "$a" "$b"; echo "$a"
a=$(mailtrail report --logs tests/data/seed --server 'EX13-2,' --section events --format csv 2>&1)
b=$(mailtrail report --logs tests/data/seed --server EX13-2 --section events --format csv 2>&1)
same "report --server" "$a" "$b"
# a value with no item in it is a usage error, not "no filter"
mailtrail search --logs tests/data/seed --recipient ' , ' --count; echo "rc=$?"
mailtrail sessions --logs tests/data/smtp --server ''; echo "rc=$?"
mailtrail tail --logs tests/data/seed --duration 0.2 --recipient ','; echo "rc=$?"
