# A send session lists the SENDs it carried, not those of its messages that
# went out in other sessions: message 4711's greylisted recipient was sent 15
# minutes later in another session, and both sessions listed both SENDs.
# Each SEND is matched as search --session-links matches it (what the next
# hop's DATA reply named: queued as 4VqA1 / 4VqB2); the RECEIVE and the DEFER
# are the message's and stay. Files and index alike.
# SYNTHETIC: tests/data/send-retry/README.md.
D=$(mktemp -d)
mailtrail session 08DC6D0000000A01 --logs tests/data/send-retry > "$D/a"; echo "exit $?"
sed -n '/^Tracking/,$p' "$D/a"
mailtrail session 08DC6D0000000B02 --logs tests/data/send-retry | sed -n '/^Tracking/,$p'
mailtrail index --db "$D/i.db" --logs tests/data/send-retry --quiet
mailtrail session 08DC6D0000000A01 --db "$D/i.db" | sed -n '/^Tracking/,$p'
rm -rf "$D"
