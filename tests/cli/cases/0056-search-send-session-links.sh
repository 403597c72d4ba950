mailtrail search --logs tests/data/seed --logs tests/data/smtp --event-id SEND --format json --session-links 2>/dev/null | grep -o "\"internal_message_id\":\"[^\"]*\"\|\"session_id\":\"[^\"]*\""
