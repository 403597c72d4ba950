# --threads takes 1 to 256.
mailtrail activesync --threads 0 tests/data/iis/known; echo "exit $?"
mailtrail activesync --threads 257 tests/data/iis/known; echo "exit $?"
mailtrail activesync --threads two tests/data/iis/known; echo "exit $?"
mailtrail activesync --threads; echo "exit $?"
mailtrail activesync --help | grep -- --threads
