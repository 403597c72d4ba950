mailtrail search --event-id SEND
