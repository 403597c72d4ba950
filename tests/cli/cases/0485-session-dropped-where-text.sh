# A session dropped with its transaction open names the command where it
# stopped (its failure_command was empty): 701 the last RCPT TO, never
# answered; 702 MAIL, DATA pipelined and none answered, so MAIL, the oldest
# (replies come in order; the rest waited behind it); 703 DATA after its
# 354; 704 every command answered and cut before DATA, so its last command,
# RCPT. `session` says it without an empty "->" (no reply decided it), and
# list shows it. SYNTHETIC: tests/data/smtp-classes/README.md.
L=tests/data/smtp-classes/open-txn-cut
for id in 08DC3A3000000701 08DC3A3000000702 08DC3A3000000703 08DC3A3000000704; do
    mailtrail session $id --logs $L | sed -n 4p
done
mailtrail sessions --logs $L --format list | grep -e '^SessionId' -e '^Failure'
