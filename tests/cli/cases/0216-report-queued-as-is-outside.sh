# A SEND answered "queued as ID" (no [InternalId]) went to no Exchange server:
# relayed out, even to mail.partner.com from an organisation with a server
# named MAIL whose logs never say its full name (as trace and flows decide).
# SYNTHETIC: tests/data/relay-hosts (case 0187).
mailtrail report --logs tests/data/relay-hosts/mail-named --section totals,hops --format csv
