# A TLS handshake that fails after STARTTLS's 220, the reason in the context
# column: tls-failed and TLS no (it was "dropped" with TLS yes, and
# --class tls-failed found nothing). 554 5.7.9 to DATA with a policy text:
# policy (it was auth-failed, in a session that never tried AUTH). A session
# that sent no MAIL FROM says so (it printed "MAIL FROM <>", the null sender).
# SYNTHETIC: tests/data/smtp-failures/README.md.
mailtrail sessions --logs tests/data/smtp-failures --format csv | cut -d, -f1,3,10,15-18
mailtrail sessions --logs tests/data/smtp-failures --class tls-failed --format csv | cut -d, -f1; echo "exit $?"
mailtrail session 08DC00000000B001 --logs tests/data/smtp-failures | head -n 4
mailtrail session 08DC00000000D001 --logs tests/data/smtp-failures | head -n 4
