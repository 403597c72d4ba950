#!/usr/bin/env python3
# csv_filter.py -- what an administrator writes today: Python's csv module over
# the tracking logs, columns found by name from the #Fields line.
# usage: csv_filter.py MODE VALUE [VALUE2] FILE...
#   MODE sender V | event V | window START END (ISO, compared as strings) | parse
# Prints the number of matching rows ("parse" touches every field of every row).
import csv
import sys

def rows(path):
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        header = None
        for row in csv.reader(f):
            if not row:
                continue
            if row[0].startswith("#"):
                if row[0].startswith("#Fields:"):
                    header = [row[0][8:].strip()] + row[1:]
                continue
            yield header, row

def main():
    mode, args = sys.argv[1], sys.argv[2:]
    nvals = {"sender": 1, "event": 1, "window": 2, "parse": 0}[mode]
    vals, files = args[:nvals], args[nvals:]
    count = 0
    for path in files:
        for header, row in rows(path):
            idx = {name: i for i, name in enumerate(header)} if header else {}
            if mode == "sender":
                count += row[idx["sender-address"]].lower() == vals[0].lower()
            elif mode == "event":
                count += row[idx["event-id"]] == vals[0]
            elif mode == "window":
                count += vals[0] <= row[0] < vals[1]
            else:
                count += sum(len(c) for c in row) >= 0
    print(count)

main()
