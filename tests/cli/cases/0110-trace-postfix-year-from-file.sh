# Classic stamps without --syslog-year or a window: the year of the file's
# modification time, one less when its first stamp's month is later.
d=$(mktemp -d)
mkdir "$d/mx1"
cp tests/data/postfix/postfix.log "$d/mx1/maillog"
touch -d '2027-01-15 12:00:00 UTC' "$d/mx1/maillog"
mailtrail trace --logs "smarthost=$d/mx1" '<20261122072822.010363@vm>' | sed -n 4p
touch -d '2026-12-01 12:00:00 UTC' "$d/mx1/maillog"
mailtrail trace --logs "smarthost=$d/mx1" '<20261122072822.010363@vm>' | sed -n 4p
touch -d '2031-11-22 12:00:00 UTC' "$d/mx1/maillog"
mailtrail trace --logs "smarthost=$d/mx1" '<20261122072822.010363@vm>' | sed -n 4p
rm -rf "$d"
