# A relay to mail.partner.com from an organisation with a server named MAIL
# is a relay ("queued as" is no Exchange answer), not a hand-over to MAIL;
# mx.partner.com and mx.other.com are two hops, each drawn from the server
# that relayed to it. SYNTHETIC: tests/data/relay-hosts/README.md.
mailtrail trace --logs tests/data/relay-hosts/mail-named '<mh1@mynet.lan>' | grep -E 'Path|relayed|unknown'
mailtrail pending --logs tests/data/relay-hosts/mail-named --format csv; echo "pending exit $?"
mailtrail flows --logs tests/data/relay-hosts/mail-named --format csv
mailtrail trace --logs tests/data/relay-hosts/two-relays '<br1@ext.com>' | grep -E 'Path|Hop|relayed'
mailtrail trace --logs tests/data/relay-hosts/two-relays '<br1@ext.com>' --format dot | grep -- '->'
mailtrail flows --logs tests/data/relay-hosts/two-relays --format csv
