# list-event.awk -- one tracking-log line of <list@example.com> naming n
# recipients u0@mynet.lan .. u(n-1)@mynet.lan, each with the status st.
# head: the columns from date-time to event-id (as they are written).
# Used by the CLI cases of messages to lists of thousands (SYNTHETIC).
BEGIN {
    r = ""; s = ""
    for (i = 0; i < n; i++) { r = r (i ? ";" : "") "u" i "@mynet.lan"; s = s (i ? ";" : "") st }
    printf "%s,1234,<list@example.com>,%s,%s,5000,%d,,,All staff,a@example.com,a@example.com,,Incoming,,,,\n", head, r, s, n
}
