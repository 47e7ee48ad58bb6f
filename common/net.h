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
/* Parse "192.0.2.0/24" or "2001:db8::/32"; the "/len" is required, decimal without sign or
 * leading zero; host bits set or a length over the family's -> OCDN_EINVAL. */
enum ocdn_err net_prefix_parse(const char *s, struct net_prefix *out);
/* Like net_prefix_parse() but masks host bits instead of rejecting them. */
enum ocdn_err net_prefix_parse_loose(const char *s, struct net_prefix *out);
/* Format into buf (>= NET_ADDR_STRLEN); returns buf. IPv6 in RFC 5952 form, IPv4-mapped
 * addresses as ::ffff:192.0.2.1; a family that is neither gives "?". */
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
/* Parse "192.0.2.1:port" or "[2001:db8::1]:port" (port 0..65535, decimal, no leading zero;
 * 0 = a listener on any free port: callers that connect must refuse it)
 * into an address and port; names, unbracketed IPv6 or bracketed IPv4 -> OCDN_EINVAL. */
enum ocdn_err net_hostport_parse(const char *s, struct net_addr *addr, uint16_t *port);
/* True for loopback addresses (127.0.0.0/8, ::1). */
bool net_addr_is_loopback(const struct net_addr *a);
/* True for prefixes that must never be client prefixes: a default route (0.0.0.0/0, ::/0) or
 * a prefix inside one of 0/8 10/8 100.64/10 127/8 169.254/16 172.16/12 192.0.0/24 192.0.2/24
 * 192.168/16 198.18/15 198.51.100/24 203.0.113/24 224/4 240/4 ::/8 100::/64 2001:db8::/32
 * fc00::/7 fe80::/10 ff00::/8. 2001::/23 is deliberately not listed as a whole: it holds
 * routable services (AS112, anycast). A prefix that merely contains a bogon is not one. */
bool net_prefix_is_bogon(const struct net_prefix *p);

#endif
