# make_fixture.py -- writes tests/data/smtp-compare (SYNTHETIC); run from the repository root.
import os
out = "tests/data/smtp-compare/EX19-1/ProtocolLog/SmtpSend/SEND2024060310-1.LOG"
os.makedirs(os.path.dirname(out), exist_ok=True)
rows = []
t = [10 * 3600 * 1000]          # ms since midnight, 2024-06-03
def ts():
    ms = t[0]; h, ms = divmod(ms, 3600000); m, ms = divmod(ms, 60000); s, ms = divmod(ms, 1000)
    return "2024-06-03T%02d:%02d:%02d.%03dZ" % (h, m, s, ms)
def session(sid, port, lines):
    seq = 0
    for ev, data, ctx, *gap in lines:
        t[0] += gap[0] if gap else 10
        def q(v): return '"' + v.replace('"', '""') + '"' if ',' in v or '"' in v else v
        local = "" if seq == 0 else "10.1.0.19:%d" % port
        rows.append(",".join([ts(), "Outbound to relay", sid, str(seq), local, "198.51.100.25:25", ev, q(data), q(ctx)]))
        seq += 1
    t[0] += 60000
def opening(iid):
    return [("*", "", "attempting to connect"), ("+", "", ""),
            ("<", "220 relay.smarthost.example ESMTP Postfix", ""),
            (">", "EHLO ex19-1.corp.example", ""),
            ("<", "250-relay.smarthost.example", ""), ("<", "250-PIPELINING", ""), ("<", "250 8BITMIME", "")] + \
           ([("*", iid, "sending message")] if iid else [])
OK = "250 2.1.5 Ok"
GONE = "550 5.1.1 <gone@fabrikam.example>: Recipient address rejected: User unknown in local recipient table"
EVE = "550 5.1.1 <eve@fabrikam.example>: Recipient address rejected: User unknown in local recipient table"
def message(rcpts, qid):
    l = [(">", "MAIL FROM:<ann@corp.example> SIZE=4211", ""), ("<", "250 2.1.0 Ok", "")]
    for a, r in rcpts:
        l += [(">", "RCPT TO:<%s>" % a, ""), ("<", r, "")]
    return l + [(">", "DATA", ""), ("<", "354 End data with <CR><LF>.<CR><LF>", ""),
                ("<", "250 2.0.0 Ok: queued as %s" % qid, "")]
def close():
    return [(">", "QUIT", ""), ("<", "221 2.0.0 Bye", ""), ("-", "", "Local")]
# E001: the good session
session("08DC83000000E001", 50001, opening("7001") + message(
    [("bob@fabrikam.example", OK), ("carl@fabrikam.example", OK), ("gone@fabrikam.example", GONE),
     ("dan@fabrikam.example", OK)], "4RkE1") + close())
# E002: the same recipients in another order, case changed
session("08DC83000000E002", 50002, opening("7002") + message(
    [("dan@fabrikam.example", OK), ("Gone@Fabrikam.example", GONE), ("Bob@fabrikam.example", OK),
     ("carl@fabrikam.example", OK)], "4RkE2") + close())
# E003: one more recipient in the middle, accepted
session("08DC83000000E003", 50003, opening("7003") + message(
    [("bob@fabrikam.example", OK), ("carl@fabrikam.example", OK), ("fay@fabrikam.example", OK),
     ("gone@fabrikam.example", GONE), ("dan@fabrikam.example", OK)], "4RkE3") + close())
# E004: one more recipient in the middle, refused; gone@ not sent to
session("08DC83000000E004", 50004, opening("7004") + message(
    [("bob@fabrikam.example", OK), ("eve@fabrikam.example", EVE), ("carl@fabrikam.example", OK),
     ("dan@fabrikam.example", OK)], "4RkE4") + close())
# E005: the relay times the idle connection out on its own (Postfix smtpd_timeout)
session("08DC83000000E005", 50005, opening("7005") + [
    ("<", "421 4.4.2 relay.smarthost.example Error: timeout exceeded", "", 300000),
    ("-", "", "Remote")])
# E006: the relay closes the connection with nothing asked of it
session("08DC83000000E006", 50006, opening("7006") + [("-", "", "Remote", 2000)])
# E007: the message's final reply never came
session("08DC83000000E007", 50007, opening("7007") + [
    (">", "MAIL FROM:<ann@corp.example> SIZE=4211", ""), ("<", "250 2.1.0 Ok", ""),
    (">", "RCPT TO:<bob@fabrikam.example>", ""), ("<", OK, ""),
    (">", "DATA", ""), ("<", "354 End data with <CR><LF>.<CR><LF>", ""),
    ("-", "", "Remote", 30000)])
# E008: the log says no more of the session after EHLO
session("08DC83000000E008", 50008, opening("7008"))
hdr = ["#Software: Microsoft Exchange Server", "#Version: 15.02.1258.012", "#Log-type: SMTP Send Protocol Log",
       "#Date: 2024-06-03T10:00:00.000Z",
       "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"]
with open(out, "w", newline="") as f:
    f.write("\ufeff" + "\r\n".join(hdr + rows) + "\r\n")
