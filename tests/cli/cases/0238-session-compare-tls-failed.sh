# --compare of a session whose TLS handshake failed after STARTTLS's 220 with
# one that went through: the sessions part at STARTTLS, with the failure said
# (they parted at the next EHLO, "never got to this step", STARTTLS alike in
# both). A session that failed this way and one that did not do STARTTLS at
# all part there too. SYNTHETIC: tests/data/smtp-tls/README.md,
# tests/data/smtp-failures/README.md.
mailtrail session 08DC6E0000000D02 --compare 08DC6E0000000C01 --logs tests/data/smtp-tls; echo "exit $?"
mailtrail session 08DC00000000A001 --compare 08DC00000000A003 --logs tests/data/smtp-failures; echo "exit $?"
