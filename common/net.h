#ifndef COMMON_NET_H
#define COMMON_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* IPv4/IPv6 addresses and prefixes: parse, format, compare, containment.
 * Parsing is strict: garbage, trailing bytes, host bits set, out-of-range lengths, zone ids,
 * and IPv4 forms inet_aton() would accept (octal, hex, short forms) are rejected. */

#define NET_ADDR_STRLEN   46 /* INET6_ADDRSTRLEN */
#define NET_PREFIX_STRLEN 50 /* address + "/128" */

enum net_family {
    NET_V4 = 4,
    NET_V6 = 6,
};

/* An address; an IPv4 address lives in bytes[0..3], the rest are zero. */
struct net_addr {
    uint8_t family; /* enum net_family */
    uint8_t bytes[16];
};

/* A prefix; bits of addr beyond len are always zero. */
struct net_prefix {
    struct net_addr addr;
    uint8_t len; /* 0..32 or 0..128 */
};

/* Parse "192.0.2.1" or "2001:db8::1"; OCDN_EINVAL on anything else. */
enum ocdn_err net_addr_parse(const char *s, struct net_addr *out);
/* Parse "192.0.2.0/24" or "2001:db8::/32"; host bits set or a bad length -> OCDN_EINVAL. */
enum ocdn_err net_prefix_parse(const char *s, struct net_prefix *out);
/* Like net_prefix_parse() but masks host bits instead of rejecting them. */
enum ocdn_err net_prefix_parse_loose(const char *s, struct net_prefix *out);
/* Format into buf (>= NET_ADDR_STRLEN); returns buf. IPv6 in RFC 5952 form. */
char *net_addr_format(const struct net_addr *a, char *buf, size_t len);
/* Format "addr/len" into buf (>= NET_PREFIX_STRLEN); returns buf. */
char *net_prefix_format(const struct net_prefix *p, char *buf, size_t len);
/* Prefix of length len containing a (host bits cleared); len is clamped to the family. */
void net_prefix_from_addr(const struct net_addr *a, unsigned len, struct net_prefix *out);
/* Maximum prefix length of the family: 32 or 128. */
unsigned net_family_bits(uint8_t family);
/* True if a lies inside p (same family). */
bool net_prefix_contains(const struct net_prefix *p, const struct net_addr *a);
/* True if inner is equal to or more specific than outer and inside it (same family). */
bool net_prefix_covers(const struct net_prefix *outer, const struct net_prefix *inner);
/* Total order: family, then address bytes, (prefix) then length; <0, 0, >0. */
int net_addr_cmp(const struct net_addr *a, const struct net_addr *b);
int net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b);
/* IPv4 address as a host-order integer (family must be NET_V4). */
uint32_t net_addr_v4(const struct net_addr *a);
/* Set a to the IPv4 address v (host order). */
void net_addr_set_v4(struct net_addr *a, uint32_t v);
/* Parse "host:port" or "[v6]:port" (port 1..65535) into an address and port. */
enum ocdn_err net_hostport_parse(const char *s, struct net_addr *addr, uint16_t *port);
/* True for loopback addresses (127.0.0.0/8, ::1). */
bool net_addr_is_loopback(const struct net_addr *a);
/* True for addresses and prefixes that must never be client prefixes: default routes,
 * RFC 1918/6598/5737/3849, loopback, link-local, multicast, reserved (the bogon list). */
bool net_prefix_is_bogon(const struct net_prefix *p);

#endif
