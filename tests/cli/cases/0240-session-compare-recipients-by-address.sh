# --compare lines recipients up by address (case-insensitive, <> ignored),
# not by position: the same recipients in another order (one refused in both)
# are alike; one only a session has, given in the middle, is said ("only ID
# has this recipient") and is where the sessions part only when refused.
# Before, RCPTs were paired by position: the sessions "parted" at the second
# RCPT (250 beside 550). Also 0033/0237 changed with this.
# SYNTHETIC: tests/data/smtp-compare/README.md.
for s in E002 E003 E004; do
    mailtrail session 08DC83000000$s --compare 08DC83000000E001 --logs tests/data/smtp-compare; echo "exit $?"
done
