# The hop line of a delay DSN says "Delay notice sent" however many messages
# are traced: a filter picking four or more reads their events at once, and
# read only the picked messages', not the originals their DSNs name, so the
# delay DSN <delayq@...> said "NDR sent" there and "Delay notice sent" traced
# alone or with --all. Each of the three below must agree.
# SYNTHETIC: tests/data/ndr-links/README.md.
S=MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.lan
echo "by sender (six DSNs, gathered at once):"
mailtrail trace --logs tests/data/ndr-links --sender "$S" | grep -E '^Message| DSN '
echo "alone:"
mailtrail trace --logs tests/data/ndr-links '<delayq@EX1.corp.lan>' | grep ' DSN '
echo "--all:"
mailtrail trace --logs tests/data/ndr-links --all | grep ' DSN ' | grep 17:00:01.100
