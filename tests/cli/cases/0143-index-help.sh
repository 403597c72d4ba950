mailtrail index --help; echo "exit $?"; mailtrail sql --help; echo "exit $?"; mailtrail tail --help; echo "exit $?"
mailtrail tail --interval 0 --logs tests/data/seed 2>&1; echo "exit $?"
