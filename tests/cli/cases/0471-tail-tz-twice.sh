# tail takes --tz once, as it takes --start and --end (0424): a second zone
# is a usage error before anything is read, not the last one winning.
# (--count and --duration bound the run should the second zone be taken.)
mailtrail tail --logs tests/data/seed --from-start --count 1 --duration 1 --tz UTC --tz America/New_York; echo "exit $?"
mailtrail tail --logs tests/data/seed --from-start --count 1 --duration 1 --tz=UTC --tz=UTC; echo "exit $?"
