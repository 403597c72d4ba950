mailtrail search --logs tests/data/seed --count --event-id DELIVER; mailtrail search --logs tests/data/seed --count --sender nobody@x
