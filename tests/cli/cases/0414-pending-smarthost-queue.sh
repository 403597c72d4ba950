# What still waits in the smart host's queue when its log ends: a recipient
# whose last attempt was deferred (with that last reply and what it means, and
# the queue id) and entries received but never tried (in transit); not those
# deferred then sent, nor one deleted with postsuper, nor a client that quit.
# pending read only the tracking logs: Exchange had relayed them all, so they
# were pending nowhere. Every format; the index agrees.
# SYNTHETIC: tests/data/postfix-pending/README.md.
L="--logs EX13-1=tests/data/postfix-pending/EX13-1 --logs smarthost=tests/data/postfix-pending/smarthost"
. tests/cli/pending-every-format.sh
pending_every_format $L
