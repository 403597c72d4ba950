# `session` explains 5.7.12 as the recipient's restriction, not our AUTH.
# SYNTHETIC: tests/data/smtp-classes/README.md.
mailtrail session 08DC39A000000401 --logs tests/data/smtp-classes/exo-5712
