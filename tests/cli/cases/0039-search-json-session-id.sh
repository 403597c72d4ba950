mailtrail search --logs tests/data/seed --subject INBD-003 --event-id RECEIVE --format json | grep -o "\"session_id\":\"[^\"]*\""
