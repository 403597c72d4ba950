#!/bin/sh
# make.sh -- regenerate the malformed message tracking fixtures in tests/data/bad/SRV1/.
#
# The produced files are committed; tests read them and never run this script.
# Output is deterministic (no /dev/urandom, no clock): running it again must give
# byte-identical files (check with: sh make.sh && git diff --stat -- .).
# Every file is described in README.md next to this script.
set -eu
cd "$(dirname "$0")"
mkdir -p SRV1
exec python3 - <<'PY'
import hashlib, os

OUT = "SRV1"
BOM = b"\xef\xbb\xbf"
F2010 = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"
         "connector-id,source,event-id,internal-message-id,message-id,recipient-address,"
         "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
         "message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
         "original-client-ip,original-server-ip,custom-data")
assert len(F2010.split(",")) == 26


def header(date, version="14.03.0123.003", fields=F2010):
    return ["#Software: Microsoft Exchange Server", "#Version: " + version,
            "#Log-type: Message Tracking Log", "#Date: " + date, "#Fields: " + fields]


def enc(v):
    return '"' + v.replace('"', '""') + '"' if "," in v else v


def row(cells):
    assert len(cells) == 26, len(cells)
    return ",".join(enc(c) for c in cells)


def receive(t, iid, mid, subj="status report", rcpt="alan.reid@mynet.lan", size=4210):
    """A well-formed Exchange 2010 SMTP RECEIVE row on SRV1 (26 columns)."""
    return row([t, "192.168.1.40", "mail-qk0-f178.google.com", "192.168.1.50", "SRV1",
                "08D3D2A41C7E0%03X;%s;0" % (iid % 4096, t), "SRV1\\Default SRV1", "SMTP",
                "RECEIVE", str(iid), mid, rcpt, "", str(size), str(len(rcpt.split(";"))), "", "",
                subj, "mynet.test01@gmail.com", "mynet.test01@gmail.com", "", "Incoming", "", "",
                "", ""])


def deliver(t, iid, mid, subj="status report", rcpt="alan.reid@mynet.lan", size=4210):
    return row([t, "", "SRV1", "", "SRV1", "", "", "STOREDRIVER", "DELIVER", str(iid), mid,
                rcpt, "", str(size), str(len(rcpt.split(";"))), "", "", subj,
                "mynet.test01@gmail.com", "mynet.test01@gmail.com", t[:19] + ".000Z", "Incoming",
                "", "", "", ""])


def mid(n):
    return "<bad%04d.%s@mail.gmail.com>" % (n, hashlib.sha1(b"%d" % n).hexdigest()[:16])


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as fh:
        fh.write(data)


def crlf(lines):
    return "".join(l + "\r\n" for l in lines).encode("utf-8")


D = "MSGTRK20160901-%d.LOG"

# 1 -- empty file
write(D % 1, b"")

# 2 -- a BOM and nothing else
write(D % 2, BOM)

# 3 -- header only
write(D % 3, BOM + crlf(header("2016-09-01T03:00:00.105Z")))

# 4 -- LF-only line endings (otherwise a perfectly good file)
L = header("2016-09-01T04:00:01.200Z") + [
    receive("2016-09-01T04:00:01.200Z", 401, mid(401)),
    deliver("2016-09-01T04:00:01.480Z", 401, mid(401)),
    receive("2016-09-01T04:10:12.031Z", 402, mid(402), subj="quarterly, numbers"),
    deliver("2016-09-01T04:10:12.377Z", 402, mid(402), subj="quarterly, numbers")]
write(D % 4, BOM + "".join(l + "\n" for l in L).encode())

# 5 -- last line cut off inside a quoted field, no newline at end of file
L = header("2016-09-01T05:00:02.010Z") + [
    receive("2016-09-01T05:00:02.010Z", 501, mid(501)),
    deliver("2016-09-01T05:00:02.298Z", 501, mid(501))]
full = receive("2016-09-01T05:00:09.744Z", 502, mid(502), subj="Minutes, 1 Sept, draft")
cut = full[:full.index('"Minutes, 1 Sept') + len('"Minutes, 1 Se')]
write(D % 5, BOM + crlf(L) + cut.encode())

# 6 -- a line with an unterminated quote; the lines after it hold quoted fields too,
#      so a parser that lets a quote run across line ends would pair them wrongly.
L = header("2016-09-01T06:00:03.100Z") + [
    receive("2016-09-01T06:00:03.100Z", 601, mid(601), subj="lunch, anyone?"),
    receive("2016-09-01T06:00:03.100Z", 602, mid(602)).replace(
        ",status report,", ',"status report, part 1,', 1).replace(
        "2016-09-01T06:00:03.100Z", "2016-09-01T06:00:04.250Z"),
    deliver("2016-09-01T06:00:05.330Z", 601, mid(601), subj="lunch, anyone?"),
    receive("2016-09-01T06:00:07.912Z", 603, mid(603), subj='"hello", she said'),
    deliver("2016-09-01T06:00:08.150Z", 603, mid(603), subj='"hello", she said')]
assert L[6].count('"') == 1
write(D % 6, BOM + crlf(L))

# 7 -- bad timestamps between good lines (and two unusual but valid forms)
def with_time(t, n):
    return receive("2016-09-01T07:00:00.000Z", n, mid(n)).replace("2016-09-01T07:00:00.000Z", t)
L = header("2016-09-01T07:00:00.500Z") + [
    with_time("2016-09-01T07:00:00.500Z", 701),          # good
    with_time("2016-13-01T07:00:01.000Z", 702),          # month 13
    with_time("2016-02-30T07:00:02.000Z", 703),          # no 30 February
    with_time("2016-09-01T24:00:03.000Z", 704),          # hour 24
    with_time("2016-09-01 07:00:04", 705),               # local display form, no T/Z
    with_time("9/1/2016 7:00:05 AM", 706),               # Get-MessageTrackingLog display form
    with_time("2016-09-01T07:00:06.000+02:00", 707),     # offset instead of Z
    with_time("not-a-date", 708),
    with_time("", 709),                                  # empty date-time
    with_time("2016-09-01T07:00:07.000Z", 710),          # good
    with_time("2016-09-01T07:00:08Z", 711),              # valid: no fraction
    with_time("2016-09-01T07:00:09.1234567Z", 712),      # valid: 7 fraction digits
    with_time("2016-09-01T07:00:10.000Z", 713)]          # good
write(D % 7, BOM + crlf(L))

# 8 -- one 200-column line between good lines
wide = ",".join(["2016-09-01T08:00:02.000Z"] + ["c%03d" % i for i in range(2, 201)])
assert len(wide.split(",")) == 200
L = header("2016-09-01T08:00:01.000Z") + [
    receive("2016-09-01T08:00:01.000Z", 801, mid(801)),
    wide,
    deliver("2016-09-01T08:00:03.000Z", 801, mid(801))]
write(D % 8, BOM + crlf(L))

# 9 -- a ~300 KB line between good lines: an EXPAND of a 16,000-member list
#      (the realistic way Exchange produces huge lines). 26 columns, consistent count.
members = ";".join("user%05d@mynet.lan" % i for i in range(1, 16001))
t = "2016-09-01T09:00:02.000Z"
big = row([t, "", "", "", "SRV1", "", "", "ROUTING", "EXPAND", "901", mid(901), members, "",
           "5120", "16000", "everyone@mynet.lan", "", "all hands", "ceo@mynet.lan",
           "ceo@mynet.lan", "", "Originating", "", "", "", ""])
assert len(big) > 300 * 1024
L = header("2016-09-01T09:00:01.000Z") + [
    receive("2016-09-01T09:00:01.000Z", 900, mid(900)),
    big,
    deliver("2016-09-01T09:00:03.000Z", 900, mid(900))]
write(D % 9, BOM + crlf(L))

# 10 -- no #Fields line, but valid Exchange 2016-shaped 30-column rows
def row30(t, iid, m, ev, src, extra_host):
    c = [t, "192.168.1.40" if ev == "RECEIVE" else "", extra_host, "192.168.1.50", "SRV1",
         "08D3D2A41C7E0F%02X;%s;0" % (iid % 256, t) if ev == "RECEIVE" else "",
         "SRV1\\Default Frontend SRV1" if ev == "RECEIVE" else "", src, ev, str(iid), m,
         "1b7e2a94-%04x-4c1d-9e2b-08d3d2a41c7e" % iid, "alan.reid@mynet.lan", "", "4210", "1",
         "", "", "status report", "mynet.test01@gmail.com", "mynet.test01@gmail.com", "",
         "Incoming", "", "", "", "", "Email", "5f0c3b21-%04x-4a7e-b1c2-08d3d2a41c7e" % iid,
         "15.01.0225.042"]
    assert len(c) == 30
    return ",".join(enc(x) for x in c)
L = header("2016-09-01T10:00:01.000Z", version="15.01.0225.042")[:4] + [
    row30("2016-09-01T10:00:01.000Z", 1001, mid(1001), "RECEIVE", "SMTP", "mail-qk0-f178.google.com"),
    row30("2016-09-01T10:00:01.402Z", 1001, mid(1001), "DELIVER", "STOREDRIVER", "SRV1"),
    row30("2016-09-01T10:00:05.511Z", 1002, mid(1002), "RECEIVE", "SMTP", "mail-qt0-f171.google.com")]
write(D % 10, BOM + crlf(L))

# 11 -- #Fields changes mid-file (service restart): new order + unknown column
f2 = F2010.split(",")
order = ["event-id", "date-time", "message-id", "internal-message-id", "source", "x-custom-col"] + \
    [f for f in f2 if f not in ("event-id", "date-time", "message-id", "internal-message-id", "source")]
assert sorted(order) == sorted(f2 + ["x-custom-col"]) and len(order) == 27
def reorder(line26, custom):
    import csv, io
    v = dict(zip(f2, next(csv.reader(io.StringIO(line26)))))
    v["x-custom-col"] = custom
    return ",".join(enc(v[k]) for k in order)
L = header("2016-09-01T11:00:01.000Z") + [
    receive("2016-09-01T11:00:01.000Z", 1101, mid(1101)),
    deliver("2016-09-01T11:00:01.350Z", 1101, mid(1101))] + \
    header("2016-09-01T11:05:30.020Z", fields=",".join(order)) + [
    reorder(receive("2016-09-01T11:05:31.210Z", 1102, mid(1102)), "alpha"),
    reorder(deliver("2016-09-01T11:05:31.509Z", 1102, mid(1102)), "beta, with comma")]
write(D % 11, BOM + crlf(L))

# 12 -- binary: 4096 pseudo-random bytes from SHA-256 in counter mode (deterministic)
b = b"".join(hashlib.sha256(b"mailtrail-bad-binary-%d" % i).digest() for i in range(128))
assert len(b) == 4096 and b[:2] != b"\x1f\x8b" and b[:4] != b"\x28\xb5\x2f\xfd"
assert b"\x00" in b
write(D % 12, b)

# 13 -- two files joined with `cat`: a second BOM + header block in the middle
A = header("2016-09-01T13:00:01.000Z") + [
    receive("2016-09-01T13:00:01.000Z", 1301, mid(1301)),
    deliver("2016-09-01T13:00:01.260Z", 1301, mid(1301))]
B = header("2016-09-01T13:20:00.003Z") + [
    receive("2016-09-01T13:20:00.003Z", 1302, mid(1302)),
    deliver("2016-09-01T13:20:00.412Z", 1302, mid(1302))]
write(D % 13, BOM + crlf(A) + BOM + crlf(B))

for n in sorted(os.listdir(OUT)):
    print("%8d  %s/%s" % (os.path.getsize(os.path.join(OUT, n)), OUT, n))
PY
