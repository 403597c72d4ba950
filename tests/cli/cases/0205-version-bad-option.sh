# version refused nothing: 'mailtrail version --bogus' printed the version
# and exited 0. A bad option or an argument is a usage error (exit 2), as in
# every other command; --help prints its usage.
mailtrail version --bogus; echo "exit $?"
mailtrail --version --bogus; echo "exit $?"
mailtrail version extra; echo "exit $?"
mailtrail version -x; echo "exit $?"
mailtrail version --help; echo "exit $?"
mailtrail version | sed 's/ [0-9][0-9.]*$/ N/'; echo "exit $?"
