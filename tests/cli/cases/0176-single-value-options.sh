# Options that take one value (as Get-MessageTrackingLog's -EventId does):
# given twice, the first was dropped without a word (2 DEFER events instead
# of the 3 FAIL or DEFER ones), and "FAIL,DEFER" found nothing; both are
# usage errors now. --server and --recipient take lists (case 0158).
mailtrail search --logs tests/data/seed --event-id FAIL --event-id DEFER; echo "exit $?"
mailtrail search --logs tests/data/seed --event-id FAIL,DEFER; echo "exit $?"
mailtrail tail --logs tests/data/seed --sender a@x --sender b@x --duration 0.1; echo "exit $?"
mailtrail search --logs tests/data/seed --subject 'Budget, Q3' --count; echo "exit $?"
