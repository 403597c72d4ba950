# Only lines holding /Microsoft-Server-ActiveSync (any case) are split into
# all their fields, but every malformed line is still reported, ActiveSync
# or not, and the default-layout notes still come; the path in another
# column, /Proxy and longer stems are not counted.
T=$(mktemp -d)
printf '%s\r\n' \
 '2024-03-04 08:00:00 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA - 200 0 0 7' \
 '2024-03-04 08:01:00 10.0.0.1 POST /microsoft-server-activesync/DEFAULT.EAS User=a&DeviceId=D1&Cmd=Sync 443 u 1.1.1.1 UA+1 - 200 0 0 7' \
 '2024-03-04 08:02:00 10.0.0.1 POST /MICROSOFT-SERVER-ACTIVESYNC/ User=b&DeviceId=D2&Cmd=Ping 443 u 1.1.1.1 UA+1 200 0 0 7' \
 '2024-03-04 08:03:00 10.0.0.1 GET /owa/ x=/Microsoft-Server-ActiveSync 443 u 1.1.1.1 UA - 200 0 0 7' \
 '2024-03-04 08:04:00 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA https://x/Microsoft-Server-ActiveSync 200 0 0 7' \
 '2024-03-04 08:05:00 10.0.0.1 POST /Microsoft-Server-ActiveSync/Proxy User=a&DeviceId=D1&Cmd=Sync 443 u 1.1.1.1 UA - 200 0 0 7' \
 '2024-03-04 08:06:00 10.0.0.1 POST /Microsoft-Server-ActiveSyncX User=a&DeviceId=D1&Cmd=Sync 443 u 1.1.1.1 UA - 200 0 0 7' \
 '2024-02-30 08:07:00 10.0.0.1 GET /owa/ - 443 u 1.1.1.1 UA - 200 0 0 7' \
 '2024-03-04 08:08:00 10.0.0.1 GET /owa/ truncated' \
 '2024-03-04 8:09:00 10.0.0.1 POST /Microsoft-Server-ActiveSync User=c 443 u 1.1.1.1 UA - 200 0 0 7' \
 '#Fields: date time cs-uri-stem cs-uri-query cs(User-Agent) sc-status' \
 '2024-03-04 09:00:00 /ews/exchange.asmx - UA 200 extra' \
 '2024-03-04 25:00:00 /ews/exchange.asmx - UA 200' \
 '2024-03-04 09:01:00 /Microsoft-Server-ActiveSync/default.eas User=c&DeviceId=D3&Cmd=Sync UA+2 449' \
 > "$T/u_ex240304.log"
mailtrail activesync --threads 2 --use-gmt --output-path "$T" "$T/u_ex240304.log" 2>"$T/err"
echo "exit $?"
sed "s#$T#T#g" "$T/err"
cat "$T/Users.csv" "$T/StatusCodes.csv" "$T/UserAgents.csv"
rm -rf "$T"
