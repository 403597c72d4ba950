# An entry no Exchange SEND names -- the message went on from the entry the
# SEND named, removed since, to a second instance behind a content filter --
# gets that SEND's accepted recipients and subject when its message-id
# agrees and it arrived within the hand-off window; a deferred one keeps the
# recipient Postfix names and gains the subject. A copy local(8) forwarded
# keeps "(unknown)": it goes to other recipients. Every format; the index
# agrees. SYNTHETIC: tests/data/postfix-handoff-next/README.md.
L="--logs EX13-1=tests/data/postfix-handoff-next/EX13-1 --logs smarthost=tests/data/postfix-handoff-next/smarthost"
. tests/cli/pending-every-format.sh
pending_every_format $L
