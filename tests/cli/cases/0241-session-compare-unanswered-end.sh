# --compare shows where a session stopped when no command was waiting and
# what ended it: a reply to no command (Postfix's 421 4.4.2 timeout to an idle
# client), a disconnect, or the end of its lines in the log; and a DATA whose
# final reply never came says so at the "queued" step. Before, the first
# three "never got to" MAIL, the 421 and the disconnect not shown, and the
# fourth "never got to" queued. Reversed, the good side's end is said as the
# other session's. SYNTHETIC: tests/data/smtp-compare/README.md.
for s in E005 E006 E007 E008; do
    mailtrail session 08DC83000000$s --compare 08DC83000000E001 --logs tests/data/smtp-compare; echo "exit $?"
done
mailtrail session 08DC83000000E001 --compare 08DC83000000E005 --logs tests/data/smtp-compare; echo "exit $?"
