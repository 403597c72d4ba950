# trace --result-size takes 'unlimited' as search does (README); a count cuts
# the messages picked by filter, with a word on stderr; anything else is a
# usage error.
mailtrail trace --logs tests/data/seed --sender mynet.test01@gmail.com --result-size unlimited | grep -c '^Message'; echo "exit $?"
mailtrail trace --logs tests/data/seed --sender mynet.test01@gmail.com --result-size 1 | grep -c '^Message'; echo "exit $?"
mailtrail trace --logs tests/data/seed --sender mynet.test01@gmail.com --result-size 0; echo "exit $?"
mailtrail trace --logs tests/data/seed --sender mynet.test01@gmail.com --result-size lots; echo "exit $?"
