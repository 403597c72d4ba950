# A session that carries two messages has two senders: --sender finds it by
# either (it kept only the last), JSON lists both in mail_from_all, CSV joins
# them, 'session' names both and every queued id (it showed the first).
# SYNTHETIC: tests/data/smtp-multi/README.md.
mailtrail sessions --logs tests/data/smtp-multi --sender a@c.com --format csv | cut -d, -f1,12-14; echo "exit $?"
mailtrail sessions --logs tests/data/smtp-multi --format json | grep -o '"mail_from":[^,]*,"mail_from_all":\[[^]]*\]'
mailtrail session 08DC0000000000A7 --logs tests/data/smtp-multi | sed -n 3p
