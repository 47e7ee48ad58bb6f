/* net.c - IPv4/IPv6 addresses and prefixes: strict parsing, RFC 5952 formatting, ordering,
 * containment and the bogon list.
 * Everything here reads untrusted text (BIRD output, reports, API bodies, config), so the
 * parsers are our own and accept exactly one spelling per family instead of inet_aton()'s
 * many; the result does not depend on the libc. Pure functions, no allocation, no I/O. */
#include "net.h"

#include <stdio.h>
#include <string.h>

/* Longest text we ever parse: a full IPv6 address with an embedded IPv4 tail is 45 bytes. */
#define ADDR_TEXT_MAX (NET_ADDR_STRLEN - 1)

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decimal number of 1..maxdigits digits without a sign or a leading zero (except "0") that
 * ends exactly at s + n; stores it in *v. */
static bool
parse_dec(const char *s, size_t n, size_t maxdigits, unsigned long *v)
{
    unsigned long x = 0;
    size_t i;

    if (n == 0 || n > maxdigits || (n > 1 && s[0] == '0'))
        return false;
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        x = x * 10 + (unsigned long)(s[i] - '0');
    }
    *v = x;
    return true;
}

/* Dotted quad, exactly four decimal octets; the whole string s[0..n) must be used. */
static bool
parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0, start;
    unsigned long v;
    int part;

    for (part = 0; part < 4; part++) {
        start = i;
        while (i < n && s[i] != '.')
            i++;
        if (!parse_dec(s + start, i - start, 3, &v) || v > 255)
            return false;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i == n)
                return false;
            i++; /* the dot */
        }
    }
    return i == n;
}

/* RFC 4291 section 2.2 text forms: eight groups of 1-4 hex digits, at most one "::" standing
 * for one or more zero groups, and optionally a dotted quad as the last 32 bits. */
static bool
parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t groups[8];
    size_t i = 0, ng = 0, digits, k;
    int gap = -1; /* index in groups[] where "::" stands */
    unsigned v;
    uint8_t v4[4];

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return false;
    }
    while (i < n) {
        digits = 0;
        v = 0;
        while (i + digits < n && hex_value(s[i + digits]) >= 0) {
            if (digits == 4)
                return false;
            v = v * 16 + (unsigned)hex_value(s[i + digits]);
            digits++;
        }
        if (i + digits < n && s[i + digits] == '.') {
            /* The dotted quad takes the rest of the string and two groups. */
            if (ng > 6 || !parse_v4(s + i, n - i, v4))
                return false;
            groups[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            break;
        }
        if (digits == 0 || ng == 8)
            return false;
        groups[ng++] = (uint16_t)v;
        i += digits;
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return false;
            gap = (int)ng;
            i++;
        } else if (i == n) {
            return false; /* a single trailing colon */
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return false;
    memset(out, 0, 16);
    if (gap < 0)
        gap = (int)ng;
    for (k = 0; k < (size_t)gap; k++) {
        out[2 * k] = (uint8_t)(groups[k] >> 8);
        out[2 * k + 1] = (uint8_t)groups[k];
    }
    for (k = (size_t)gap; k < ng; k++) {
        size_t pos = 8 - (ng - k);
        out[2 * pos] = (uint8_t)(groups[k] >> 8);
        out[2 * pos + 1] = (uint8_t)groups[k];
    }
    return true;
}

static bool
parse_addr_n(const char *s, size_t n, struct net_addr *out)
{
    struct net_addr a;

    memset(&a, 0, sizeof(a));
    if (n == 0 || n > ADDR_TEXT_MAX)
        return false;
    if (memchr(s, ':', n)) {
        if (!parse_v6(s, n, a.bytes))
            return false;
        a.family = NET_V6;
    } else {
        if (!parse_v4(s, n, a.bytes))
            return false;
        a.family = NET_V4;
    }
    *out = a;
    return true;
}

enum ocdn_err
net_addr_parse(const char *s, struct net_addr *out)
{
    size_t n;

    memset(out, 0, sizeof(*out));
    if (!s)
        return OCDN_EINVAL;
    n = strnlen(s, ADDR_TEXT_MAX + 1);
    if (!parse_addr_n(s, n, out) || s[n] != '\0')
        return OCDN_EINVAL;
    return OCDN_OK;
}

unsigned
net_family_bits(uint8_t family)
{
    if (family == NET_V4)
        return 32;
    if (family == NET_V6)
        return 128;
    return 0;
}

/* Clear every bit of bytes beyond the first len bits. */
static void
mask_bytes(uint8_t bytes[16], unsigned len)
{
    unsigned i;

    for (i = 0; i < 16; i++) {
        if (len >= 8 * (i + 1))
            continue;
        if (len <= 8 * i)
            bytes[i] = 0;
        else
            bytes[i] &= (uint8_t)(0xff00u >> (len - 8 * i));
    }
}

static enum ocdn_err
prefix_parse(const char *s, struct net_prefix *out, bool loose)
{
    const char *slash;
    struct net_prefix p;
    unsigned long len;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (!s)
        return OCDN_EINVAL;
    n = strnlen(s, NET_PREFIX_STRLEN);
    if (n == NET_PREFIX_STRLEN)
        return OCDN_EINVAL;
    slash = memchr(s, '/', n);
    if (!slash)
        return OCDN_EINVAL;
    memset(&p, 0, sizeof(p));
    if (!parse_addr_n(s, (size_t)(slash - s), &p.addr))
        return OCDN_EINVAL;
    if (!parse_dec(slash + 1, n - (size_t)(slash + 1 - s), 3, &len))
        return OCDN_EINVAL;
    if (len > net_family_bits(p.addr.family))
        return OCDN_EINVAL;
    p.len = (uint8_t)len;
    if (loose) {
        mask_bytes(p.addr.bytes, p.len);
    } else {
        struct net_addr masked = p.addr;

        mask_bytes(masked.bytes, p.len);
        if (memcmp(masked.bytes, p.addr.bytes, sizeof(masked.bytes)) != 0)
            return OCDN_EINVAL;
    }
    *out = p;
    return OCDN_OK;
}

enum ocdn_err
net_prefix_parse(const char *s, struct net_prefix *out)
{
    return prefix_parse(s, out, false);
}

enum ocdn_err
net_prefix_parse_loose(const char *s, struct net_prefix *out)
{
    return prefix_parse(s, out, true);
}

/* RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups
 * (the first of equal runs) becomes "::"; section 5: IPv4-mapped addresses (::ffff:0:0/96)
 * end in dotted decimal. */
static void
format_v6(const uint8_t b[16], char *out, size_t len)
{
    char tmp[NET_ADDR_STRLEN];
    uint16_t g[8];
    int i, best = -1, bestlen = 0, run = -1, runlen = 0, ngroups = 8;
    size_t o = 0;
    bool mapped;

    for (i = 0; i < 8; i++)
        g[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
    mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
    if (mapped)
        ngroups = 6;
    for (i = 0; i < ngroups; i++) {
        if (g[i] == 0) {
            if (run < 0) {
                run = i;
                runlen = 0;
            }
            runlen++;
            if (runlen > bestlen) {
                best = run;
                bestlen = runlen;
            }
        } else {
            run = -1;
        }
    }
    if (bestlen < 2)
        best = -1;
    for (i = 0; i < ngroups; i++) {
        if (i == best) {
            tmp[o++] = ':';
            tmp[o++] = ':';
            i += bestlen - 1;
            continue;
        }
        if (o > 0 && tmp[o - 1] != ':')
            tmp[o++] = ':';
        o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "%x", g[i]);
    }
    if (mapped) {
        if (tmp[o - 1] != ':')
            tmp[o++] = ':';
        snprintf(tmp + o, sizeof(tmp) - o, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    } else {
        tmp[o] = '\0';
    }
    snprintf(out, len, "%s", tmp);
}

char *
net_addr_format(const struct net_addr *a, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (a->family == NET_V4)
        snprintf(buf, len, "%u.%u.%u.%u", a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]);
    else if (a->family == NET_V6)
        format_v6(a->bytes, buf, len);
    else
        snprintf(buf, len, "?");
    return buf;
}

char *
net_prefix_format(const struct net_prefix *p, char *buf, size_t len)
{
    char addr[NET_ADDR_STRLEN];

    if (len == 0)
        return buf;
    net_addr_format(&p->addr, addr, sizeof(addr));
    snprintf(buf, len, "%s/%u", addr, p->len);
    return buf;
}

void
net_prefix_from_addr(const struct net_addr *a, unsigned len, struct net_prefix *out)
{
    unsigned bits = net_family_bits(a->family);

    memset(out, 0, sizeof(*out));
    out->addr = *a;
    if (len > bits)
        len = bits;
    out->len = (uint8_t)len;
    mask_bytes(out->addr.bytes, len);
}

/* True if the first len bits of x and y are equal. */
static bool
same_bits(const uint8_t x[16], const uint8_t y[16], unsigned len)
{
    unsigned full = len / 8, rest = len % 8;
    uint8_t m;

    if (memcmp(x, y, full) != 0)
        return false;
    if (rest == 0)
        return true;
    m = (uint8_t)(0xff00u >> rest);
    return (x[full] & m) == (y[full] & m);
}

bool
net_prefix_contains(const struct net_prefix *p, const struct net_addr *a)
{
    unsigned bits = net_family_bits(p->addr.family);

    if (bits == 0 || a->family != p->addr.family || p->len > bits)
        return false;
    return same_bits(p->addr.bytes, a->bytes, p->len);
}

bool
net_prefix_covers(const struct net_prefix *outer, const struct net_prefix *inner)
{
    if (inner->addr.family != outer->addr.family || inner->len < outer->len ||
        inner->len > net_family_bits(inner->addr.family))
        return false;
    return net_prefix_contains(outer, &inner->addr);
}

int
net_addr_cmp(const struct net_addr *a, const struct net_addr *b)
{
    int c;

    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    c = memcmp(a->bytes, b->bytes, sizeof(a->bytes));
    return (c > 0) - (c < 0);
}

int
net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b)
{
    int c = net_addr_cmp(&a->addr, &b->addr);

    if (c != 0)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return 0;
}

uint32_t
net_addr_v4(const struct net_addr *a)
{
    return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 |
           (uint32_t)a->bytes[3];
}

void
net_addr_set_v4(struct net_addr *a, uint32_t v)
{
    memset(a, 0, sizeof(*a));
    a->family = NET_V4;
    a->bytes[0] = (uint8_t)(v >> 24);
    a->bytes[1] = (uint8_t)(v >> 16);
    a->bytes[2] = (uint8_t)(v >> 8);
    a->bytes[3] = (uint8_t)v;
}

enum ocdn_err
net_hostport_parse(const char *s, struct net_addr *addr, uint16_t *port)
{
    const char *host, *colon, *ps;
    size_t n, hostlen;
    unsigned long v;
    struct net_addr a;

    memset(addr, 0, sizeof(*addr));
    *port = 0;
    if (!s)
        return OCDN_EINVAL;
    /* "[" + 45 + "]:" + 5 digits */
    n = strnlen(s, ADDR_TEXT_MAX + 9);
    if (n == ADDR_TEXT_MAX + 9)
        return OCDN_EINVAL;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);

        if (!close || close[1] != ':')
            return OCDN_EINVAL;
        host = s + 1;
        hostlen = (size_t)(close - host);
        ps = close + 2;
        /* Brackets are for IPv6 only. */
        if (!parse_addr_n(host, hostlen, &a) || a.family != NET_V6)
            return OCDN_EINVAL;
    } else {
        colon = memchr(s, ':', n);
        if (!colon || memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
            return OCDN_EINVAL; /* no port, or an unbracketed IPv6 address */
        host = s;
        hostlen = (size_t)(colon - s);
        ps = colon + 1;
        if (!parse_addr_n(host, hostlen, &a) || a.family != NET_V4)
            return OCDN_EINVAL;
    }
    if (!parse_dec(ps, n - (size_t)(ps - s), 5, &v) || v > 65535)
        return OCDN_EINVAL;
    *addr = a;
    *port = (uint16_t)v;
    return OCDN_OK;
}

bool
net_addr_is_loopback(const struct net_addr *a)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};

    if (a->family == NET_V4)
        return a->bytes[0] == 127;
    if (a->family == NET_V6)
        return memcmp(a->bytes, v6_loopback, 16) == 0;
    return false;
}

/* The bogon list: RFC 6890 special-purpose blocks that are never reachable client space.
 * 2001::/23 (IETF protocol assignments) is not in it: it holds globally reachable services
 * such as AS112 (2001:4:112::/48) and the TURN/PCP anycast blocks. Binary, not text, because
 * steering checks every announced prefix against it. */
static const struct net_prefix bogons[] = {
    {{NET_V4, {0}}, 8},                       /* 0.0.0.0/8 */
    {{NET_V4, {10}}, 8},                      /* 10.0.0.0/8 */
    {{NET_V4, {100, 64}}, 10},                /* 100.64.0.0/10 */
    {{NET_V4, {127}}, 8},                     /* 127.0.0.0/8 */
    {{NET_V4, {169, 254}}, 16},               /* 169.254.0.0/16 */
    {{NET_V4, {172, 16}}, 12},                /* 172.16.0.0/12 */
    {{NET_V4, {192, 0, 0}}, 24},              /* 192.0.0.0/24 */
    {{NET_V4, {192, 0, 2}}, 24},              /* 192.0.2.0/24 */
    {{NET_V4, {192, 168}}, 16},               /* 192.168.0.0/16 */
    {{NET_V4, {198, 18}}, 15},                /* 198.18.0.0/15 */
    {{NET_V4, {198, 51, 100}}, 24},           /* 198.51.100.0/24 */
    {{NET_V4, {203, 0, 113}}, 24},            /* 203.0.113.0/24 */
    {{NET_V4, {224}}, 4},                     /* 224.0.0.0/4 */
    {{NET_V4, {240}}, 4},                     /* 240.0.0.0/4 */
    {{NET_V6, {0}}, 8},                       /* ::/8 */
    {{NET_V6, {0x01, 0x00}}, 64},             /* 100::/64 */
    {{NET_V6, {0x20, 0x01, 0x0d, 0xb8}}, 32}, /* 2001:db8::/32 */
    {{NET_V6, {0xfc}}, 7},                    /* fc00::/7 */
    {{NET_V6, {0xfe, 0x80}}, 10},             /* fe80::/10 */
    {{NET_V6, {0xff}}, 8},                    /* ff00::/8 */
};

bool
net_prefix_is_bogon(const struct net_prefix *p)
{
    size_t i;

    if (net_family_bits(p->addr.family) == 0)
        return false;
    if (p->len == 0)
        return true; /* default route */
    for (i = 0; i < sizeof(bogons) / sizeof(bogons[0]); i++) {
        if (net_prefix_covers(&bogons[i], p))
            return true;
    }
    return false;
}
