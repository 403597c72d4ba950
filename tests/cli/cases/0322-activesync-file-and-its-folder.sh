# A file named on the command line and found again through its folder is
# read once (it was read twice: every count doubled), with a one-line note,
# as --logs does for a file given twice (the same device and inode).
T=$(mktemp -d)
mkdir -p "$T/logs/EX1" "$T/logs/EX2" "$T/one" "$T/two" "$T/three" "$T/four"
cp tests/data/iis/known/EX1/u_ex240304.log "$T/logs/EX1/"
cp tests/data/iis/known/EX2/u_ex240304.log "$T/logs/EX2/"
cd "$T"
mailtrail activesync --use-gmt --output-path one logs 2>/dev/null; echo "the folder: exit $?"
mailtrail activesync --use-gmt --output-path two logs/EX1/u_ex240304.log logs 2>&1; echo "a file and its folder: exit $?"
ln -s logs/EX2 link
mailtrail activesync --use-gmt --output-path three logs/EX1/u_ex240304.log link/u_ex240304.log logs 2>&1; echo "two files (one through a link) and their folder: exit $?"
mailtrail activesync --use-gmt --output-path four link/u_ex240304.log logs 2>&1; echo "a file through a link, and its folder: exit $?"
cut -d, -f1-6 two/Users.csv
diff one/Users.csv two/Users.csv && echo "Users.csv: the same as the folder's"
diff one/Users.csv three/Users.csv && echo "Users.csv: the same as the folder's"
diff one/Users.csv four/Users.csv && echo "Users.csv: the same as the folder's"
cd - >/dev/null
rm -rf "$T"
