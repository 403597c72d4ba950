# Plain `session ID`: a TLS handshake that failed after STARTTLS's 220 (the
# "TLS negotiation failed with error X" remark) is explained as every other
# failure is: what the status it names means and what to check (the
# certificate and its private key, TLS versions and ciphers). It had no
# explanation line at all. Send side (NoCredentials) whole; receive side
# (UnknownCredentials) the remark and its line.
# SYNTHETIC: tests/data/smtp-tls/README.md, tests/data/smtp-failures/README.md.
mailtrail session 08DC6E0000000D02 --logs tests/data/smtp-tls; echo "exit $?"
D=$(mktemp -d)
mailtrail session 08DC00000000A001 --logs tests/data/smtp-failures > "$D/a"; echo "exit $?"
grep -A1 'TLS negotiation' "$D/a"; rm -rf "$D"
