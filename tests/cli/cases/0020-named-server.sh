mailtrail search --logs HUB=tests/data/seed/EX13-1 --event-id SUBMIT --format table
