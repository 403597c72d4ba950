# report: a deferral ended by DUPLICATEDELIVER, BADMAIL, DROP or MODERATIONEXPIRE is not still deferred,
# and BADMAIL/MODERATIONEXPIRE recipients are failed -- as trace's fates and pending say (only m6 waits).
D=$(mktemp -d)
mailtrail report --logs tests/data/report-defer-ends --section totals,failures --format json
mailtrail index --db "$D/ix.db" --logs tests/data/report-defer-ends > /dev/null 2>&1
mailtrail report --db "$D/ix.db" --section totals --format json
mailtrail report --db "$D/ix.db" --section failures --format csv
mailtrail sql --db "$D/ix.db" ndr-by-code --format csv
mailtrail trace --all --logs tests/data/report-defer-ends --format json | grep -o '"address":"[^"]*","outcome":"[^"]*"'
mailtrail pending --logs tests/data/report-defer-ends --format json | grep -o '"message_id":"[^"]*"'
mailtrail report --logs tests/data/final-events --section totals --format json
rm -rf "$D"
