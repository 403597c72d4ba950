mailtrail flows --logs tests/data/resubmit; mailtrail pending --logs tests/data/resubmit; echo "rc=$?"
