# One server, MAIL, whose own events say it is MAIL.corp.example: mail from
# mail.partner.com is inbound mail (received, inbound_smtp) and mail sent to
# mail.contoso.com is relayed out (external), though both hosts' first label
# is MAIL. They counted as MAIL itself. SYNTHETIC: tests/data/report-hosts.
mailtrail report --logs tests/data/report-hosts/mail-named --section totals,servers,hops,latency
