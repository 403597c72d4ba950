/* SPDX-License-Identifier: MIT */
/* endpoint.h -- "ip:port" endpoints as protocol logs write them.
 *
 * Exchange writes "198.51.100.25:25" and "[2001:db8::1]:25"; some exports
 * drop the brackets ("2001:db8::1:25"), and then the text alone does not
 * tell a whole IPv6 address from an address with a port. One parser, so
 * that `sessions --remote` and `backpressure` read an endpoint alike.
 *
 * An IPv4-mapped IPv6 address (::ffff:198.51.100.25, as a dual-stack
 * listener logs an IPv4 client) is the IPv4 host it maps: the endpoint
 * readers give it in its IPv4 form, so that one host is not two. */
#ifndef MAILTRAIL_ENDPOINT_H
#define MAILTRAIL_ENDPOINT_H

#include "slice.h"

enum { MT_IP4 = 4, MT_IP6 = 6 };

/* One way to read an endpoint. */
struct mt_endpoint {
    int family;                 /* MT_IP4 / MT_IP6 */
    unsigned char addr[16];     /* network order; IPv4 in the first 4 bytes */
    long port;                  /* 1..65535; -1: none, or not a port */
};

/* An IPv4 or IPv6 address, nothing around it, as written (a mapped address
 * stays IPv6: a CIDR typed in IPv6 counts its prefix in 128 bits). 0, or
 * -1 when it is none. */
int mt_ip_parse(const char *s, size_t n, unsigned char addr[16], int *family);
/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, ::ffff:c633:6419) made the
 * IPv4 address it maps, in place: 1 when it was one, else 0 (unchanged).
 * Only ::ffff:0:0/96: the deprecated IPv4-compatible ::a.b.c.d and NAT64's
 * 64:ff9b::/96 name IPv6 hosts or gateways, not the IPv4 host itself. */
int mt_ip_unmap(unsigned char addr[16], int *family);
/* A port: 1 to 5 decimal digits, 1..65535; -1 for anything else. */
long mt_port_parse(const char *s, size_t n);

/* "ip:port", "[v6]:port" or a bare address, read as Exchange writes it: an
 * unbracketed text with several colons is the whole address when it is one,
 * else the address before its last colon and a port. strict (what a user
 * typed): a port that is there must be a port, or the whole is refused; a
 * log's endpoint with a bad port keeps its address and gets port -1. A
 * mapped address is given in its IPv4 form (mt_ip_unmap). 0, or -1 when
 * there is no address. */
int mt_endpoint_parse(mt_slice e, int strict, struct mt_endpoint *out);

/* The other reading of an unbracketed IPv6 endpoint that is a whole address
 * ("2001:db8::1:25"): the address before its last group, and that group as
 * the port, when the group is a decimal port and what comes before it is an
 * address by itself ("::ffff:c633:6419:25": 198.51.100.25, port 25, the
 * address unmapped). 1 with *alt set, or 0 when there is no such reading. */
int mt_endpoint_port_reading(mt_slice e, struct mt_endpoint *alt);

/* Every reading of a logged endpoint, mt_endpoint_parse's first: 0, 1 or 2. */
int mt_endpoint_readings(mt_slice e, struct mt_endpoint r[2]);

/* The remote host of a logged endpoint, for counting hosts: one reading
 * only. Where an unbracketed IPv6 endpoint reads both ways, the reading with
 * a port: Exchange writes a port on every endpoint it logs, so the last
 * group of such a text is the port, and taking it for part of the address
 * would count one host once per source port. 0, or -1 when no reading is an
 * address. */
int mt_endpoint_host(mt_slice e, struct mt_endpoint *out);

/* The address of ep in its usual text form (IPv6 compressed, lower case),
 * NUL-terminated: equal addresses written differently give equal texts.
 * Returns the length; buf needs 46 bytes. */
size_t mt_endpoint_addr_text(const struct mt_endpoint *ep, char *buf, size_t len);

#endif
