# Every reply of a send session explained, and the session compared with the
# retry that went through: "250 2.0.0 Ok: queued as ID", the reply to the
# message itself, was explained as "the command was accepted" (its generic
# 2.0.0 says no more); it says queued now. The greylisting 451 4.7.1 is the
# one step where the sessions part. SYNTHETIC: tests/data/send-retry/README.md.
D=$(mktemp -d)
mailtrail session 08DC6D0000000A01 --logs tests/data/send-retry > "$D/a"; echo "exit $?"
sed '/^Tracking/,$d' "$D/a"; rm -rf "$D"
mailtrail session 08DC6D0000000A01 --compare 08DC6D0000000B02 --logs tests/data/send-retry; echo "exit $?"
