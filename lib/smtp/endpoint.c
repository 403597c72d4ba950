/* SPDX-License-Identifier: MIT */
/* endpoint.c -- reading the "ip:port" endpoints of protocol logs.
 *
 * inet_pton does the address itself; what is ours is where the address ends
 * and the port begins, which for an IPv6 endpoint without brackets the text
 * alone cannot always say (endpoint.h). */
#include <arpa/inet.h>
#include <string.h>
#include "mailtrail/endpoint.h"

int mt_ip_parse(const char *s, size_t n, unsigned char addr[16], int *family)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *family = MT_IP4;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        *family = MT_IP6;
        return 0;
    }
    return -1;
}

int mt_ip_unmap(unsigned char addr[16], int *family)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
    if (*family != MT_IP6 || memcmp(addr, mapped, sizeof mapped))
        return 0;
    memmove(addr, addr + 12, 4);
    memset(addr + 4, 0, 12);
    *family = MT_IP4;
    return 1;
}

long mt_port_parse(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535 ? v : -1;
}

int mt_endpoint_parse(mt_slice e, int strict, struct mt_endpoint *out)
{
    memset(out, 0, sizeof *out);
    out->port = -1;
    if (!e.n)                   /* p may be NULL: memchr must not see it */
        return -1;
    const char *colon = NULL;
    size_t host_n = e.n;
    const char *host = e.p;
    if (e.p[0] == '[') {
        const char *close = memchr(e.p, ']', e.n);
        if (!close)
            return -1;
        host = e.p + 1;
        host_n = (size_t)(close - host);
        size_t rest = e.n - (size_t)(close - e.p) - 1;
        if (rest) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    } else {
        const char *last = memrchr(e.p, ':', e.n);
        /* one colon: IPv4 with a port; more: a bare IPv6 address, or one
         * with a port after its last colon when the whole is no address */
        if (last && (memchr(e.p, ':', e.n) == last || mt_ip_parse(e.p, e.n, out->addr, &out->family) != 0)) {
            colon = last;
            host_n = (size_t)(last - e.p);
        }
    }
    if (colon) {
        out->port = mt_port_parse(colon + 1, e.n - (size_t)(colon + 1 - e.p));
        if (out->port < 0 && strict)
            return -1;
    }
    if (mt_ip_parse(host, host_n, out->addr, &out->family))
        return -1;
    mt_ip_unmap(out->addr, &out->family);
    return 0;
}

int mt_endpoint_port_reading(mt_slice e, struct mt_endpoint *alt)
{
    if (e.n == 0 || e.p[0] == '[')
        return 0;
    const char *first = memchr(e.p, ':', e.n);
    const char *last = first ? memrchr(e.p, ':', e.n) : NULL;
    if (!last || last == first)
        return 0;
    unsigned char whole[16];
    int fam;
    if (mt_ip_parse(e.p, e.n, whole, &fam) != 0 || fam != MT_IP6)
        return 0;   /* not an address as a whole: mt_endpoint_parse already took the port */
    long port = mt_port_parse(last + 1, e.n - (size_t)(last + 1 - e.p));
    if (port < 0)
        return 0;
    struct mt_endpoint r;
    memset(&r, 0, sizeof r);
    r.port = port;
    if (mt_ip_parse(e.p, (size_t)(last - e.p), r.addr, &r.family) != 0 || r.family != MT_IP6)
        return 0;
    mt_ip_unmap(r.addr, &r.family);   /* "::ffff:c633:6419:25" */
    *alt = r;
    return 1;
}

int mt_endpoint_readings(mt_slice e, struct mt_endpoint r[2])
{
    int n = mt_endpoint_parse(e, 0, &r[0]) == 0;
    return n + mt_endpoint_port_reading(e, &r[n]);
}

int mt_endpoint_host(mt_slice e, struct mt_endpoint *out)
{
    if (mt_endpoint_port_reading(e, out))
        return 0;
    return mt_endpoint_parse(e, 0, out);
}

size_t mt_endpoint_addr_text(const struct mt_endpoint *ep, char *buf, size_t len)
{
    if (len == 0)
        return 0;
    buf[0] = '\0';
    if (!inet_ntop(ep->family == MT_IP4 ? AF_INET : AF_INET6, ep->addr, buf, (socklen_t)len))
        buf[0] = '\0';
    return strlen(buf);
}
