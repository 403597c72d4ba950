# index --max-age 30d cuts at the run's start, to the second, minus 30 days
# (T): an event at T exactly is kept, one a millisecond before it goes, one a
# millisecond after stays; a protocol-log line the same. A line whose
# date-time cannot be read is no record (no time): it is kept as a problem of
# its file, and goes with the file's records -- when the last of them is older
# than the age -- never on its own and never left for ever. Times are made
# from the clock; a run that crossed a second is made again.
# SYNTHETIC: rows of tests/data/retention-bad-only (made by hand).
D=$(mktemp -d)
R=tests/data/retention-bad-only/EX1/MSGTRK20160901-1.LOG
stamp() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S; }
row() {    # row TIME ID: a RECEIVE at TIME with message-id <ID@x.test>
    sed -n 6p "$R" | sed "s|^[^,]*,|$1,|; s|<a@x.test>|<$2@x.test>|"
}
make_logs() {    # $1: the run's second
    T=$(( $1 - 30 * 86400 ))
    rm -rf "$D/logs"; mkdir -p "$D/logs/EX1"
    { head -n 5 "$R"
      row "$(stamp $((T - 1))).000Z" before-1s
      row "$(stamp $((T - 1))).999Z" before-1ms
      row "$(stamp $T).000Z" at-cut
      row "$(stamp $T).001Z" after-1ms
      sed -n 7p "$R"
      row "$(stamp $((T + 86400))).000Z" a-day-after; } > "$D/logs/EX1/MSGTRK20160901-1.LOG"
    { head -n 5 "$R"
      row "$(stamp $((T - 86400))).000Z" old-file
      sed -n 7p "$R"; } > "$D/logs/EX1/MSGTRK20160901-2.LOG"
    mkdir -p "$D/logs/EX1/Logs/ProtocolLog/SmtpReceive"
    { printf '#Software: Microsoft Exchange Server\n#Version: 15.1.225.42\n#Log-type: SMTP Receive Protocol Log\n'
      printf '#Date: %s.000Z\n' "$(stamp $((T - 1)))"
      printf '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n'
      printf '%s.999Z,EX1\\Default,08D3D24A00000001,0,10.0.0.2:25,203.0.113.9:40000,+,,\n' "$(stamp $((T - 1)))"
      printf '%s.999Z,EX1\\Default,08D3D24A00000001,1,10.0.0.2:25,203.0.113.9:40000,-,,Local\n' "$(stamp $((T - 1)))"
      printf '%s.000Z,EX1\\Default,08D3D24A00000002,0,10.0.0.2:25,203.0.113.9:40001,+,,\n' "$(stamp $T)"
      printf '%s.000Z,EX1\\Default,08D3D24A00000002,1,10.0.0.2:25,203.0.113.9:40001,-,,Local\n' "$(stamp $T)"
    } > "$D/logs/EX1/Logs/ProtocolLog/SmtpReceive/RECV2016090100-1.LOG"
}
i=0
while [ $i -lt 5 ]; do
    s=$(date +%s)
    make_logs "$s"
    rm -f "$D/x.db"*
    mailtrail index --db "$D/x.db" --logs "$D/logs" --quiet --no-progress 2>/dev/null
    echo "$?" > "$D/rc1"
    mailtrail index --db "$D/x.db" --quiet --no-progress --max-age 30d
    echo "$?" > "$D/rc2"
    [ "$(date +%s)" = "$s" ] && break
    i=$((i + 1))
done
echo "indexed: exit $(cat "$D/rc1"), --max-age 30d: exit $(cat "$D/rc2")"
echo "-- events kept"
mailtrail sql --db "$D/x.db" --format csv "SELECT substr(message_id, 2, instr(message_id, '@') - 2) AS id, (time_ms - ($s - 30 * 86400) * 1000) AS ms_from_cut FROM tracking ORDER BY time_ms"
echo "-- protocol-log sessions kept"
mailtrail sql --db "$D/x.db" --format csv "SELECT session_id, lines FROM sessions ORDER BY start"
echo "-- problems kept"
mailtrail sql --db "$D/x.db" --format csv "SELECT substr(f.path, length(f.path) - 4) AS file, p.line, p.message FROM problems p JOIN files f ON f.id = p.file ORDER BY f.path, p.line"
rm -rf "$D"
