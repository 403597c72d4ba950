mailtrail get-messagetrackinglog --logs tests/data/seed -Recipients "mynet.test02@gmail.com,alannah.shaw@mynet.lan" -ResultSize unlimited -EventId DELIVER --format table
