# A smart host's entry that was never tried names no recipient in its log
# (Postfix names one only when it tries it) and never a subject: pending
# takes them from the Exchange SEND that handed the message over ("queued as
# ID", its message-id agreeing), one row per recipient the smart host
# accepted, not the one it refused (a SENDEXTERNAL as well as a SEND). A
# SEND that names the queue id of another message (the message-ids
# disagree) gives it nothing: that row stays "(unknown)". Every format; the index agrees.
# SYNTHETIC: tests/data/postfix-handoff/README.md.
L="--logs EX13-1=tests/data/postfix-handoff/EX13-1 --logs smarthost=tests/data/postfix-handoff/smarthost"
. tests/cli/pending-every-format.sh
pending_every_format $L
