# IIS hourly logs (u_exYYMMDDHH.log, 2-digit year) of one folder are read in
# the order of their hours: the 23:00 file before the next day's 00:00 one,
# so its diagnostics come first. Read as yyyymmdd, 24030423 was the year 2403
# and 24030500 no date at all, which put 00:00 first.
T=$(mktemp -d)
mkdir "$T/S"
for h in 24030423 24030500; do
    printf '#Fields: date time cs-uri-stem cs-uri-query\n20%s-%s-%s %s:10:00\n' \
        "$(echo $h | cut -c1-2)" "$(echo $h | cut -c3-4)" "$(echo $h | cut -c5-6)" "$(echo $h | cut -c7-8)" \
        > "$T/S/u_ex$h.log"
done
mailtrail activesync --use-gmt --output-path "$T" "$T/S" 2>"$T/err"
echo "exit $?"
sed "s#$T#T#g" "$T/err"
rm -rf "$T"
