# report --format html says charset=utf-8: a subject's Latin-1 byte and a
# control byte become U+FFFD (they went into the page raw, invalid UTF-8),
# markup stays escaped. SYNTHETIC: tests/data/latin1-subject/README.md.
mailtrail report --logs tests/data/latin1-subject --section sizes --large 1 --format html > out.html; echo "exit $?"
python3 -c "import sys; t = open('out.html', 'rb').read().decode('utf-8'); print('valid UTF-8'); print([l.strip() for l in t.splitlines() if 'caf' in l][0].split('EX1</td>')[1][:60])"
rm -f out.html
