mailtrail trace --logs tests/data/resubmit --subject SN-RESUBMIT; mailtrail trace --logs tests/data/resubmit --subject SN-RESUBMIT --format json
